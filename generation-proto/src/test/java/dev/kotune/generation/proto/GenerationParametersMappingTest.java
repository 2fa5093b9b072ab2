package dev.kotune.generation.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.engine.InvalidParamsException;
import dev.kotune.engine.SamplingParams;
import dev.kotune.proto.inference.v1.GenerationParameters;
import org.junit.jupiter.api.Test;

class GenerationParametersMappingTest {

    @Test
    void unsetFieldsTakeTheContractsDefaults() {
        SamplingParams p = GenerationParametersMapping.toBuilder(GenerationParameters.getDefaultInstance())
                .build();
        assertThat(p).isEqualTo(SamplingParams.defaults());
    }

    @Test
    void everyFieldMapsAndSurvivesTheRoundTrip() {
        SamplingParams p = GenerationParametersMapping.toBuilder(GenerationParameters.newBuilder()
                        .setMaxNewTokens(12)
                        .setMinNewTokens(2)
                        .setTemperature(0.5f)
                        .setTopK(7)
                        .setTopP(0.75f)
                        .setRepetitionPenalty(1.5f)
                        .setNoRepeatNgramSize(2)
                        .addStop("\n")
                        .addStopTokenIds(9)
                        .setIncludeStopStrInOutput(true)
                        .setSeed(4)
                        .setLogprobs(3)
                        .setStopAtEos(false)
                        .setFrequencyPenalty(0.5f)
                        .setPresencePenalty(-0.25f)
                        .putLogitBias(11, -100f)
                        .build())
                .build();
        assertThat(p.frequencyPenalty()).isEqualTo(0.5);
        assertThat(p.presencePenalty()).isEqualTo(-0.25);
        assertThat(p.logitBias()).containsExactly(java.util.Map.entry(11, -100.0));
        assertThat(p.doSample()).isTrue(); // temperature set: sampling, the contract's rule
        assertThat(p.maxNewTokens()).isEqualTo(12);
        assertThat(p.topK()).isEqualTo(7);
        assertThat(p.topP()).isEqualTo(0.75);
        assertThat(p.ignoreEos()).isTrue();
        assertThat(p.stopTokenIds()).containsExactly(9);
        assertThat(p.includeStopStrInOutput()).isTrue();
        assertThat(p.seed()).isEqualTo(4L);
        assertThat(p.logprobs()).isEqualTo(3);
        assertThat(GenerationParametersMapping.toBuilder(GenerationParametersMapping.toProto(p))
                        .build())
                .isEqualTo(p);
        assertThat(GenerationParametersMapping.toBuilder(GenerationParametersMapping.toProto(SamplingParams.notebook()))
                        .build())
                .isEqualTo(SamplingParams.notebook());
    }

    @Test
    void explicitGreedyWinsOverATemperatureAndBadValuesAreTheContractsProblems() {
        assertThat(GenerationParametersMapping.toBuilder(GenerationParameters.newBuilder()
                                .setTemperature(0.3f)
                                .setDoSample(false)
                                .build())
                        .build()
                        .doSample())
                .isFalse();
        assertThatThrownBy(() -> GenerationParametersMapping.toBuilder(
                                GenerationParameters.newBuilder().setTopP(1.5f).build())
                        .build())
                .isInstanceOf(InvalidParamsException.class)
                .hasMessageContaining("top_p must be in (0, 1], got 1.5");
    }
}
