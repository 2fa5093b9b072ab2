package dev.kotune.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.export.GraphFlavour;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Greedy generation on the exported tiny model is token-identical to transformers' {@code model.generate} for every
 * case of goldens/gpt2/generate.json (repetition penalty, no-repeat-ngram, min_new_tokens, EOS, max_length,
 * left-padded batches), in both graph flavours.
 */
class GenerationParityTest {

    static Stream<Arguments> cases() throws Exception {
        JsonNode g = TestModels.golden("gpt2/generate.json");
        List<Arguments> out = new ArrayList<>();
        for (GraphFlavour f : GraphFlavour.values()) {
            if (f.quantized()) {
                continue; // HF parity is the fp32 flavours' promise; int8's drift is measured in export's
                // Int8ExportTest
            }
            for (JsonNode c : g.get("cases")) {
                out.add(Arguments.of(f, c.get("name").asText(), c));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void greedyGenerationEqualsHfGenerate(GraphFlavour flavour, String name, JsonNode c) throws Exception {
        JsonNode kw = c.get("generate_kwargs");
        SamplingParams.Builder b =
                SamplingParams.builder().padTokenId(kw.get("pad_token_id").asInt());
        if (kw.has("max_new_tokens")) {
            b.maxNewTokens(kw.get("max_new_tokens").asInt());
        }
        if (kw.has("max_length")) {
            b.maxLength(kw.get("max_length").asInt());
        }
        b.repetitionPenalty(kw.path("repetition_penalty").asDouble(1.0));
        b.noRepeatNgramSize(kw.path("no_repeat_ngram_size").asInt(0));
        b.minNewTokens(kw.path("min_new_tokens").asInt(0));
        if (kw.has("eos_token_id")) {
            JsonNode e = kw.get("eos_token_id");
            b.eosTokenIds(
                    e.isArray() ? Arrays.stream(TestModels.ints(e)).boxed().toList() : List.of(e.asInt()));
        }
        SamplingParams config = b.build();
        List<int[]> prompts = new ArrayList<>();
        for (int r = 0; r < c.get("input_ids").size(); r++) {
            int[] row = TestModels.ints(c.get("input_ids").get(r));
            int[] mask = TestModels.ints(c.get("attention_mask").get(r));
            int pad = 0;
            while (mask[pad] == 0) {
                pad++;
            }
            prompts.add(Arrays.copyOfRange(row, pad, row.length));
        }
        int[] eos = config.eosTokenIds().isEmpty()
                ? new int[] {1}
                : config.eosTokenIds().stream().mapToInt(Integer::intValue).toArray();
        try (OnnxModel model = OnnxModel.load(TestModels.tinyExport(flavour))) {
            List<GenerationResult> results = model.generate(prompts, config, null, null);
            for (int r = 0; r < prompts.size(); r++) {
                int[] hf = TestModels.ints(c.get("new_tokens").get(r));
                GenerationResult res = results.get(r);
                int[] ours = res.tokenIds();
                assertThat(ours).as("%s row %d", name, r).isEqualTo(Arrays.copyOf(hf, ours.length));
                for (int j = ours.length; j < hf.length; j++) {
                    assertThat(hf[j]).as("HF filler after EOS").isEqualTo(3);
                }
                boolean endsWithEos = Arrays.stream(eos).anyMatch(e -> e == ours[ours.length - 1]);
                assertThat(res.finishReason()).isEqualTo(endsWithEos ? FinishReason.EOS : FinishReason.LENGTH);
            }
        }
    }
}
