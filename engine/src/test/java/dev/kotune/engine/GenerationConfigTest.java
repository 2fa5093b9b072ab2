package dev.kotune.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** GenerationConfig keeps HF's defaults and rejects bad values naming the field and its allowed range. */
class GenerationConfigTest {

    @Test
    void defaultsAreTransformers() {
        GenerationConfig c = GenerationConfig.defaults();
        assertThat(c.maxLength()).isEqualTo(20);
        assertThat(c.maxNewTokens()).isNull();
        assertThat(c.doSample()).isFalse();
        assertThat(c.topK()).isEqualTo(50);
        assertThat(c.topP()).isEqualTo(1.0);
        assertThat(c.temperature()).isEqualTo(1.0);
        assertThat(c.repetitionPenalty()).isEqualTo(1.0);
        assertThat(c.noRepeatNgramSize()).isZero();
    }

    @Test
    void maxNewTokensWinsOverMaxLength() {
        GenerationConfig c = GenerationConfig.builder().maxLength(20).maxNewTokens(64).build();
        assertThat(c.maxTotalLength(16)).isEqualTo(80);
        assertThat(GenerationConfig.builder().maxLength(20).build().maxTotalLength(16)).isEqualTo(20);
    }

    @Test
    void rejectsTopPAboveOne() {
        assertThatThrownBy(() -> GenerationConfig.builder().topP(1.5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("top_p must be in (0, 1], got 1.5");
    }

    @Test
    void rejectsTopPOfZero() {
        assertThatThrownBy(() -> GenerationConfig.builder().topP(0).build()).hasMessageContaining("top_p");
    }

    @Test
    void rejectsZeroTemperatureAndSuggestsGreedy() {
        assertThatThrownBy(() -> GenerationConfig.builder().temperature(0).build())
                .hasMessageContaining("temperature must be in (0, inf), got 0.0")
                .hasMessageContaining("do_sample=false");
    }

    @Test
    void rejectsNaNTemperature() {
        assertThatThrownBy(() -> GenerationConfig.builder().temperature(Double.NaN).build())
                .hasMessageContaining("temperature");
    }

    @Test
    void rejectsNegativeTopKAndNgramAndNonPositivePenalty() {
        assertThatThrownBy(() -> GenerationConfig.builder().topK(-1).noRepeatNgramSize(-2).repetitionPenalty(0)
                .build())
                .hasMessageContaining("top_k must be >= 0 (0 disables), got -1")
                .hasMessageContaining("no_repeat_ngram_size must be >= 0 (0 disables), got -2")
                .hasMessageContaining("repetition_penalty must be in (0, inf), got 0.0");
    }

    @Test
    void rejectsNonPositiveLengths() {
        assertThatThrownBy(() -> GenerationConfig.builder().maxNewTokens(0).build())
                .hasMessageContaining("max_new_tokens must be >= 1, got 0");
        assertThatThrownBy(() -> GenerationConfig.builder().maxLength(0).build())
                .hasMessageContaining("max_length must be >= 1, got 0");
        assertThatThrownBy(() -> GenerationConfig.builder().minNewTokens(-1).build())
                .hasMessageContaining("min_new_tokens must be >= 0, got -1");
    }

    @Test
    void rejectsEmptyStopStringsAndNegativeIds() {
        assertThatThrownBy(() -> GenerationConfig.builder().stopStrings(List.of("")).eosTokenIds(List.of(-1))
                .padTokenId(-3).build())
                .hasMessageContaining("stop_strings must be non-empty strings")
                .hasMessageContaining("eos_token_id must be >= 0, got -1")
                .hasMessageContaining("pad_token_id must be >= 0, got -3");
    }

    @Test
    void modelGenerationConfigJsonOverridesHfDefaults() throws Exception {
        com.fasterxml.jackson.databind.JsonNode g = TestModels.MAPPER.readTree(
                "{\"do_sample\": true, \"temperature\": 0.3, \"top_p\": 0.9, \"max_length\": 64,"
                        + " \"repetition_penalty\": 1.2, \"no_repeat_ngram_size\": 2, \"eos_token_id\": [1, 2],"
                        + " \"pad_token_id\": 3}");
        GenerationConfig c = HfGenerationConfig.from(g).build();
        assertThat(c.doSample()).isTrue();
        assertThat(c.temperature()).isEqualTo(0.3);
        assertThat(c.topP()).isEqualTo(0.9);
        assertThat(c.topK()).isEqualTo(50);
        assertThat(c.maxLength()).isEqualTo(64);
        assertThat(c.repetitionPenalty()).isEqualTo(1.2);
        assertThat(c.noRepeatNgramSize()).isEqualTo(2);
        assertThat(c.eosTokenIds()).containsExactly(1, 2);
        assertThat(c.padTokenId()).isEqualTo(3);
        GenerationConfig tiny = HfGenerationConfig.defaultsFor(
                TestModels.repoRoot().resolve("conformance/models/tiny-kogpt2")).build();
        assertThat(tiny.maxLength()).isEqualTo(20);
        assertThat(tiny.eosTokenIds()).containsExactly(1);
    }
}
