package dev.kotune.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.kotune.engine.text.Detokenizer;
import dev.kotune.export.GraphFlavour;
import dev.kotune.testing.SharedData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Engine behaviour beyond HF parity: sampling seeds, logprobs, chunked prefill, stop strings, streaming, providers. */
class GeneratorTest {

    static OnnxModel model;
    static final int[] PROMPT = {24454, 401, 9208, 6889, 8615, 375, 7192, 7643, 401}; // "질문: 배고파\n답변:"
    static final int[] OTHER = {10070, 32016, 9105, 7312, 406};

    @BeforeAll
    static void load() throws Exception {
        model = OnnxModel.load(TestModels.tinyExport(GraphFlavour.DEFAULT));
    }

    @AfterAll
    static void close() throws Exception {
        model.close();
    }

    private static SamplingParams.Builder sampling() {
        return SamplingParams.builder()
                .doSample(true)
                .temperature(0.9)
                .topP(0.95)
                .maxNewTokens(16)
                .seed(7L);
    }

    @Test
    void seededSamplingIsReproducible() throws Exception {
        int[] a = model.generate(List.of(PROMPT), sampling().build(), null, null)
                .get(0)
                .tokenIds();
        int[] b = model.generate(List.of(PROMPT), sampling().build(), null, null)
                .get(0)
                .tokenIds();
        int[] c = model.generate(List.of(PROMPT), sampling().seed(8L).build(), null, null)
                .get(0)
                .tokenIds();
        assertThat(a).hasSize(16).isEqualTo(b);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void samplingWithTopKOneIsGreedy() throws Exception {
        SamplingParams greedy =
                SamplingParams.builder().maxNewTokens(12).repetitionPenalty(1.2).build();
        SamplingParams topK1 =
                greedy.toBuilder().doSample(true).topK(1).seed(123L).build();
        assertThat(model.generate(List.of(PROMPT), topK1, null, null).get(0).tokenIds())
                .isEqualTo(model.generate(List.of(PROMPT), greedy, null, null)
                        .get(0)
                        .tokenIds());
    }

    @Test
    void logprobsAreThoseOfTheChosenTokensUnderTheProcessedDistribution() throws Exception {
        SamplingParams c = SamplingParams.builder()
                .maxNewTokens(6)
                .doSample(true)
                .topK(1)
                .seed(1L)
                .logprobs(0)
                .build();
        GenerationResult r = model.generate(List.of(PROMPT), c, null, null).get(0);
        assertThat(r.logprobs()).hasSize(6).containsOnly(0f); // top_k 1 leaves one token with probability 1
        GenerationResult g = model.generate(
                        List.of(PROMPT),
                        SamplingParams.builder().maxNewTokens(6).logprobs(0).build(),
                        null,
                        null)
                .get(0);
        for (float lp : g.logprobs()) {
            assertThat(lp).isNegative().isGreaterThan((float) -Math.log(51200) - 1); // random model: near uniform
        }
    }

    @Test
    void chunkedPrefillGivesTheSameTokens() throws Exception {
        SamplingParams c = SamplingParams.builder()
                .maxNewTokens(8)
                .repetitionPenalty(1.2)
                .noRepeatNgramSize(2)
                .build();
        List<int[]> prompts = List.of(PROMPT, OTHER);
        List<GenerationResult> whole = model.generate(prompts, c, null, null);
        long budget = 2L * 51200 * 2; // two positions per pass: 9-token prompt in 5 chunks
        try (Generator g = new Generator(model, prompts, c, null, null, budget)) {
            while (!g.isDone()) {
                g.step();
            }
            for (int b = 0; b < 2; b++) {
                assertThat(g.results().get(b).tokenIds()).isEqualTo(whole.get(b).tokenIds());
            }
        }
    }

    @Test
    void batchedRowsEqualSingleRows() throws Exception {
        SamplingParams c =
                SamplingParams.builder().maxNewTokens(10).repetitionPenalty(1.2).build();
        List<GenerationResult> batch = model.generate(List.of(PROMPT, OTHER), c, null, null);
        assertThat(batch.get(0).tokenIds())
                .isEqualTo(model.generate(List.of(PROMPT), c, null, null).get(0).tokenIds());
        assertThat(batch.get(1).tokenIds())
                .isEqualTo(model.generate(List.of(OTHER), c, null, null).get(0).tokenIds());
    }

    @Test
    void stopStringFinishesTheRowAndStreamingDeltasAddUpToTheText() throws Exception {
        try (HuggingFaceTokenizer tok = TokenizerStreamTest.load(SharedData.require("kogpt2/tokenizer.json"))) {
            Detokenizer d = TokenizerStreamTest.d(tok);
            SamplingParams free = SamplingParams.builder()
                    .maxNewTokens(12)
                    .repetitionPenalty(1.2)
                    .noRepeatNgramSize(2)
                    .build();
            GenerationResult full =
                    model.generate(List.of(PROMPT), free, d, null).get(0);
            assertThat(full.finishReason()).isEqualTo(FinishReason.LENGTH);
            // stop at the text of the 3rd..4th generated tokens
            String stop = d.decode(Arrays.copyOfRange(full.tokenIds(), 2, 4)).strip();
            assertThat(stop).isNotEmpty();
            StringBuilder streamed = new StringBuilder();
            List<Integer> tokens = new ArrayList<>();
            TokenListener listener = new TokenListener() {
                @Override
                public void onToken(int row, int tokenId, String textDelta) {
                    tokens.add(tokenId);
                    streamed.append(textDelta);
                }

                @Override
                public void onFinish(int row, FinishReason reason, String textDelta) {
                    streamed.append(textDelta);
                }
            };
            GenerationResult r = model.generate(
                            List.of(PROMPT),
                            free.toBuilder().stopStrings(List.of(stop)).build(),
                            d,
                            listener)
                    .get(0);
            assertThat(r.finishReason()).isEqualTo(FinishReason.STOP_STRING);
            assertThat(r.tokenIds().length).isLessThanOrEqualTo(4).isLessThan(full.tokenIds().length);
            String all = d.decode(r.allIds()); // the text ends right before the stop string, which the tokens hold
            assertThat(all).startsWith(d.decode(PROMPT) + r.text() + stop);
            assertThat(r.text()).doesNotContain(stop);
            assertThat(streamed.toString()).isEqualTo(r.text());
            assertThat(tokens)
                    .containsExactlyElementsOf(
                            Arrays.stream(r.tokenIds()).boxed().toList());
            GenerationResult kept = model.generate(
                            List.of(PROMPT),
                            free.toBuilder()
                                    .stopStrings(List.of(stop))
                                    .includeStopStrInOutput(true)
                                    .build(),
                            d,
                            null)
                    .get(0);
            assertThat(kept.text()).isEqualTo(r.text() + stop);
            assertThat(kept.tokenIds()).isEqualTo(r.tokenIds());
        }
    }

    @Test
    void stopStringsWithoutADetokenizerAreRejected() {
        SamplingParams c = SamplingParams.builder().stopStrings(List.of("\n")).build();
        assertThatThrownBy(() -> model.generate(List.of(PROMPT), c, null, null))
                .hasMessageContaining("stop strings need a detokenizer");
    }

    @Test
    void promptsOutsideTheVocabularyOrContextAreRejected() {
        SamplingParams c = SamplingParams.defaults();
        assertThatThrownBy(() -> model.generate(List.of(new int[] {51200}), c, null, null))
                .isInstanceOf(InvalidParamsException.class)
                .hasMessageContaining("prompt[0] must be a token id in [0, 51200)");
        assertThatThrownBy(() -> model.generate(List.of(new int[128]), c, null, null))
                .hasMessageContaining("prompt must be at most 127 tokens (the model's context is 128)");
        assertThatThrownBy(() -> model.generate(List.of(new int[0]), c, null, null))
                .hasMessageContaining("prompt must be 1 or more tokens");
    }

    @Test
    void lengthBeyondTheModelContextIsRefusedNamingTheRoomLeft() throws Exception {
        assertThatThrownBy(() -> model.generate(
                        List.of(PROMPT),
                        SamplingParams.builder().maxNewTokens(500).build(),
                        null,
                        null))
                .isInstanceOf(InvalidParamsException.class)
                .hasMessageContaining("max_new_tokens must be in [1, 119] (context 128 - prompt 9 tokens), got 500");
        GenerationResult r = model.generate(
                        List.of(PROMPT),
                        SamplingParams.builder().maxNewTokens(119).build(),
                        null,
                        null)
                .get(0);
        assertThat(r.tokenIds()).hasSize(119);
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void cudaRequestFallsBackToCpuOnACpuBuild() throws Exception {
        EngineOptions cuda =
                EngineOptions.defaults().withProvider(ExecutionProvider.CUDA).withThreads(1, 1);
        try (OnnxModel m = OnnxModel.load(TestModels.tinyExport(GraphFlavour.DEFAULT), cuda)) {
            assertThat(m.provider()).isEqualTo(ExecutionProvider.CPU);
            assertThat(m.generate(
                                    List.of(PROMPT),
                                    SamplingParams.builder().maxNewTokens(4).build(),
                                    null,
                                    null)
                            .get(0)
                            .tokenIds())
                    .hasSize(4);
        }
        try (OnnxModel m = OnnxModel.load(
                TestModels.tinyExport(GraphFlavour.DEFAULT),
                EngineOptions.defaults().withProvider(ExecutionProvider.AUTO))) {
            assertThat(m.provider()).isEqualTo(ExecutionProvider.CPU);
        }
    }

    @Test
    void modelInfoComesFromTheGraphAndGenAiConfig() {
        ModelInfo i = model.info();
        assertThat(List.of(i.layers(), i.heads(), i.headSize(), i.vocabSize(), i.contextLength()))
                .containsExactly(3, 3, 16, 51200, 128);
        assertThat(i.eosTokenIds()).containsExactly(1);
        assertThat(i.padTokenId()).isEqualTo(3);
        assertThat(i.metadata())
                .containsEntry("kotune.onnx", i.metadata().get("kotune.onnx"))
                .containsKey("kotune.config");
        assertThat(Map.copyOf(i.metadata()).get("kotune.onnx"))
                .contains("\"flavour\":\"" + GraphFlavour.DEFAULT.id() + "\"");
    }
}
