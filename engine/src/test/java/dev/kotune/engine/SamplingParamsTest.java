package dev.kotune.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one generation contract: defaults, the sampling rule, every limit with its field and range. */
class SamplingParamsTest {

    private static final ModelInfo MODEL = new ModelInfo(3, 3, 16, 51200, 128, List.of(1), 3, true, Map.of());

    @Test
    void defaultsAreGreedyWithTheNotebooksMaxLengthAndHfsTopK() {
        SamplingParams c = SamplingParams.defaults();
        assertThat(c.maxLength()).isEqualTo(64);
        assertThat(c.maxNewTokens()).isNull();
        assertThat(c.doSample()).isFalse();
        assertThat(c.temperature()).isEqualTo(1.0);
        assertThat(c.topK()).isEqualTo(50);
        assertThat(c.topP()).isEqualTo(1.0);
        assertThat(c.ignoreEos()).isFalse();
        assertThat(c.includeStopStrInOutput()).isFalse();
        assertThat(c.logprobs()).isNull();
        assertThat(c.n()).isEqualTo(1);
    }

    @Test
    void samplingIsOnWhenATemperatureAboveZeroTopPOrTopKIsGivenUnlessDoSampleSaysOtherwise() {
        assertThat(SamplingParams.builder().temperature(0.3).build().doSample()).isTrue();
        assertThat(SamplingParams.builder().topP(0.9).build().doSample()).isTrue();
        assertThat(SamplingParams.builder().topK(5).build().doSample()).isTrue();
        assertThat(SamplingParams.builder().temperature(0.0).build().doSample()).isFalse(); // OpenAI: 0 = greedy
        assertThat(SamplingParams.builder()
                        .temperature(0.3)
                        .doSample(false)
                        .build()
                        .doSample())
                .isFalse();
        assertThat(SamplingParams.builder().repetitionPenalty(1.2).build().doSample())
                .isFalse();
        assertThat(SamplingParams.notebook().doSample()).isTrue();
    }

    @Test
    void maxNewTokensWinsOverMaxLength() {
        SamplingParams c =
                SamplingParams.builder().maxLength(20).maxNewTokens(64).build();
        assertThat(c.maxTotalLength(16)).isEqualTo(80);
        assertThat(SamplingParams.builder().maxLength(20).build().maxTotalLength(16))
                .isEqualTo(20);
    }

    @Test
    void everyProblemIsReportedWithItsFieldValueAndRange() {
        assertThatThrownBy(() -> SamplingParams.builder()
                        .topP(1.5)
                        .temperature(101.0)
                        .topK(-1)
                        .noRepeatNgramSize(17)
                        .repetitionPenalty(0.0)
                        .maxNewTokens(0)
                        .minNewTokens(-1)
                        .logprobs(21)
                        .n(0)
                        .stopStrings(List.of("", "x".repeat(257)))
                        .stopTokenIds(List.of(-2))
                        .padTokenId(-3)
                        .build())
                .isInstanceOfSatisfying(
                        InvalidParamsException.class,
                        e -> assertThat(e.problems())
                                .extracting(ParamProblem::field)
                                .containsExactlyInAnyOrder(
                                        "top_p",
                                        "temperature",
                                        "top_k",
                                        "no_repeat_ngram_size",
                                        "repetition_penalty",
                                        "max_new_tokens",
                                        "min_new_tokens",
                                        "logprobs",
                                        "n",
                                        "stop[0]",
                                        "stop[1]",
                                        "stop_token_ids[0]",
                                        "pad_token_id"))
                .hasMessageContaining("top_p must be in (0, 1], got 1.5")
                .hasMessageContaining("temperature must be in [0, 100] (0 = greedy), got 101.0")
                .hasMessageContaining("repetition_penalty must be in (0, 10] (1 disables), got 0.0")
                .hasMessageContaining("no_repeat_ngram_size must be in [0, 16] (0 disables), got 17")
                .hasMessageContaining("stop[1] must be 1 to 256 characters long, got 257 characters")
                .hasMessageContaining("logprobs must be in [0, 20], got 21");
    }

    @Test
    void temperatureZeroWithExplicitSamplingIsRefusedWithAHint() {
        assertThatThrownBy(() ->
                        SamplingParams.builder().temperature(0.0).doSample(true).build())
                .hasMessageContaining("temperature must be in (0, 100] when do_sample is true, got 0")
                .hasMessageContaining("leave do_sample unset or false");
        assertThatThrownBy(
                        () -> SamplingParams.builder().temperature(Double.NaN).build())
                .hasMessageContaining("temperature");
    }

    @Test
    void tooManyStopStringsOrMinNewTokensAboveMaxNewTokens() {
        assertThatThrownBy(() -> SamplingParams.builder()
                        .stopStrings(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i"))
                        .build())
                .hasMessageContaining("stop must be at most 8 strings, got 9 strings");
        assertThatThrownBy(() ->
                        SamplingParams.builder().maxNewTokens(4).minNewTokens(5).build())
                .hasMessageContaining("min_new_tokens must be in [0, max_new_tokens = 4], got 5");
    }

    @Test
    void rulesThatNeedTheModelNameTheRoomLeftInItsContext() {
        int[] prompt = new int[100];
        assertThat(SamplingParams.builder().maxNewTokens(28).build().problemsFor(MODEL, prompt))
                .isEmpty();
        assertThat(SamplingParams.builder()
                        .maxNewTokens(29)
                        .topK(60000)
                        .stopTokenIds(List.of(51200))
                        .build()
                        .problemsFor(MODEL, prompt))
                .extracting(ParamProblem::toString)
                .containsExactly(
                        "max_new_tokens must be in [1, 28] (context 128 - prompt 100 tokens), got 29",
                        "top_k must be in [0, 51200] (the model's vocab_size), got 60000",
                        "stop_token_ids[0] must be in [0, 51200), got 51200");
        assertThat(SamplingParams.defaults().problemsFor(MODEL, prompt))
                .extracting(ParamProblem::toString)
                .containsExactly("max_length must be in [101, 128] (prompt 100 tokens + 1, context 128), got 64"
                        + " (or set max_new_tokens instead)");
        assertThat(SamplingParams.defaults().problemsFor(MODEL, new int[] {5, -1, 51200}))
                .extracting(ParamProblem::field)
                .containsExactly("prompt[1]", "prompt[2]");
    }

    @Test
    void problemsAreRenamedToTheEdgesSpelling() {
        ParamProblem p = ParamProblem.of("stop[2]", 0, "1 to 256 characters long");
        assertThat(p.renamed(f -> f.equals("stop") ? "parameters.stop" : f).field())
                .isEqualTo("parameters.stop[2]");
    }

    @Test
    void nRowsGetConsecutiveSeeds() {
        SamplingParams c =
                SamplingParams.builder().n(3).seed(10L).temperature(0.5).build();
        assertThat(c.forRow(2).seed()).isEqualTo(12L);
        assertThat(c.forRow(2).n()).isEqualTo(1);
        assertThat(SamplingParams.builder().n(2).build().forRow(1).seed()).isNull();
    }

    @Test
    void modelGenerationConfigJsonOverridesHfDefaults() throws Exception {
        com.fasterxml.jackson.databind.JsonNode g = TestModels.MAPPER.readTree(
                "{\"do_sample\": true, \"temperature\": 0.3, \"top_p\": 0.9, \"max_length\": 64,"
                        + " \"repetition_penalty\": 1.2, \"no_repeat_ngram_size\": 2, \"eos_token_id\": [1, 2],"
                        + " \"pad_token_id\": 3}");
        SamplingParams c = HfGenerationConfig.from(g).build();
        assertThat(c.doSample()).isTrue();
        assertThat(c.temperature()).isEqualTo(0.3);
        assertThat(c.topP()).isEqualTo(0.9);
        assertThat(c.topK()).isEqualTo(50);
        assertThat(c.maxLength()).isEqualTo(64);
        assertThat(c.repetitionPenalty()).isEqualTo(1.2);
        assertThat(c.noRepeatNgramSize()).isEqualTo(2);
        assertThat(c.eosTokenIds()).containsExactly(1, 2);
        assertThat(c.padTokenId()).isEqualTo(3);
        SamplingParams tiny = HfGenerationConfig.defaultsFor(
                        TestModels.repoRoot().resolve("conformance/models/tiny-kogpt2"))
                .build();
        assertThat(tiny.maxLength()).isEqualTo(20); // HF's default under a generation config
        assertThat(tiny.doSample()).isFalse();
        assertThat(tiny.eosTokenIds()).containsExactly(1);
    }
}
