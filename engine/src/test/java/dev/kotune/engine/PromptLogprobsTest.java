package dev.kotune.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.export.GraphFlavour;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Prompt logprobs (vLLM's prompt_logprobs, OpenAI's echo) against Hugging Face: HF's logits of every position of the
 * golden's unpadded row (conformance/goldens/gpt2/logits_right_padded.json: the prompt ids' columns, each position's
 * logsumexp and argmax) give log p(token j | tokens before it) = logit - logsumexp.
 */
class PromptLogprobsTest {

    @ParameterizedTest
    @EnumSource(names = {"PLAIN", "FUSED"}) // HF parity: the fp32 flavours (int8 drift: export's Int8ExportTest)
    void eachPromptTokensLogprobAndTheBestAlternativeAreHfs(GraphFlavour flavour) throws Exception {
        JsonNode g = TestModels.golden("gpt2/logits_right_padded.json");
        int[] ids = TestModels.ints(g.get("input_ids").get(0)); // the row without padding
        List<Integer> columns = new ArrayList<>();
        g.get("columns").forEach(c -> columns.add(c.asInt()));
        try (OnnxModel model = OnnxModel.load(TestModels.tinyExport(flavour))) {
            List<PromptLogprobs.Scored> scored = PromptLogprobs.score(model, ids, 3);
            assertThat(scored).hasSize(ids.length - 1);
            for (int j = 1; j < ids.length; j++) {
                PromptLogprobs.Scored s = scored.get(j - 1);
                double logit = g.get("logits_columns")
                        .get(0)
                        .get(j - 1)
                        .get(columns.indexOf(ids[j]))
                        .asDouble();
                double hf = logit - g.get("logsumexp").get(0).get(j - 1).asDouble();
                assertThat(s.id()).isEqualTo(ids[j]);
                assertThat((double) s.logprob()).as("position %d", j).isCloseTo(hf, within(1e-4));
                assertThat(s.top()).hasSize(3);
                assertThat(s.top().get(0).id())
                        .isEqualTo(g.get("argmax").get(0).get(j - 1).asInt());
                assertThat(s.top().get(0).logprob())
                        .isGreaterThanOrEqualTo(s.top().get(1).logprob());
            }
        }
    }

    @Test
    void theContractTakesPromptLogprobsInRangeAndThenAllowsZeroNewTokens() {
        assertThat(SamplingParams.builder()
                        .promptLogprobs(0)
                        .maxNewTokens(0)
                        .build()
                        .promptLogprobs())
                .isZero();
        assertThatThrownBy(() -> SamplingParams.builder().maxNewTokens(0).build())
                .isInstanceOfSatisfying(
                        InvalidParamsException.class,
                        e -> assertThat(e.problems())
                                .extracting(ParamProblem::field)
                                .containsExactly("max_new_tokens"));
        assertThatThrownBy(() -> SamplingParams.builder().promptLogprobs(21).build())
                .isInstanceOfSatisfying(
                        InvalidParamsException.class,
                        e -> assertThat(e.problems())
                                .extracting(ParamProblem::field)
                                .containsExactly("prompt_logprobs"));
        assertThat(SamplingParams.builder().promptLogprobs(2).build().toBuilder()
                        .build()
                        .promptLogprobs())
                .isEqualTo(2);
    }

    @Test
    void aScoreOnlyRequestIsNotGenerated() throws Exception {
        try (OnnxModel model = OnnxModel.load(TestModels.tinyExport(GraphFlavour.DEFAULT))) {
            SamplingParams scoreOnly =
                    SamplingParams.builder().promptLogprobs(0).maxNewTokens(0).build();
            assertThatThrownBy(() -> model.generate(List.of(new int[] {5, 6}), scoreOnly, null, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("PromptLogprobs");
        }
    }
}
