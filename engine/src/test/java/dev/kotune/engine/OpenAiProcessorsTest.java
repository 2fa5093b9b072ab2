package dev.kotune.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.engine.process.FrequencyPresencePenaltyProcessor;
import dev.kotune.engine.process.LogitBiasProcessor;
import dev.kotune.engine.process.LogitsProcessors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OpenAI's frequency/presence penalties and logit_bias, as vLLM defines them, and where they sit in the chain. */
class OpenAiProcessorsTest {

    @Test
    void penaltiesCountGeneratedTokensOnlyAndSubtractFrequencyTimesCountPlusPresence() {
        TokenSequence seq =
                TokenSequence.withHistory(new int[] {1, 2, 2, 3, 2, 4}, 0, 3); // prompt 1 2 2; generated 3 2 4
        float[] logits = {0, 0, 10, 10, 10, 10};
        new FrequencyPresencePenaltyProcessor(0.5, 1.0).process(seq, logits);
        // token 2: generated once (the prompt's two do not count) → 10 - 0.5*1 - 1; 3 and 4 likewise; 5 untouched
        assertThat(logits).containsExactly(0, 0, 8.5f, 8.5f, 8.5f, 10);
        float[] negative = {0, 0, 10, 10, 10, 10};
        new FrequencyPresencePenaltyProcessor(-1.0, 0)
                .process(TokenSequence.withHistory(new int[] {9, 2, 2}, 0, 1), negative);
        assertThat(negative[2]).isEqualTo(12f); // a negative penalty rewards repetition, as OpenAI allows
    }

    @Test
    void logitBiasAddsToTheChosenIdsAndComesFirstInTheChain() {
        float[] logits = {1, 2, 3};
        new LogitBiasProcessor(Map.of(0, 5.0, 2, -100.0)).process(TokenSequence.of(7), logits);
        assertThat(logits).containsExactly(6, 2, -97);
        SamplingParams p = SamplingParams.builder()
                .logitBias(Map.of(1, 2.0))
                .repetitionPenalty(1.2)
                .frequencyPenalty(0.1)
                .noRepeatNgramSize(2)
                .build();
        assertThat(LogitsProcessors.of(p, new int[] {1}).processors())
                .extracting(x -> x.getClass().getSimpleName())
                .containsExactly(
                        "LogitBiasProcessor",
                        "RepetitionPenaltyProcessor",
                        "FrequencyPresencePenaltyProcessor",
                        "NoRepeatNGramProcessor");
    }

    @Test
    void greedyGenerationFollowsAStrongBias() throws Exception {
        try (OnnxModel model = OnnxModel.load(TestModels.tinyExport(dev.kotune.export.GraphFlavour.DEFAULT))) {
            int[] prompt = {24454, 401, 9208};
            int[] biased = model.generate(
                            List.of(prompt),
                            SamplingParams.builder()
                                    .maxNewTokens(5)
                                    .logitBias(Map.of(777, 100.0))
                                    .build(),
                            null,
                            null)
                    .get(0)
                    .tokenIds();
            assertThat(biased).containsOnly(777);
            int[] penalised = model.generate(
                            List.of(prompt),
                            SamplingParams.builder()
                                    .maxNewTokens(5)
                                    .logitBias(Map.of(777, 100.0))
                                    .presencePenalty(2.0)
                                    .frequencyPenalty(2.0)
                                    .build(),
                            null,
                            null)
                    .get(0)
                    .tokenIds();
            assertThat(penalised[0]).isEqualTo(777); // later steps: 777 pays 4 per repeat, still +100 ahead
        }
    }

    @Test
    void rangesAreTheContracts() {
        assertThatThrownBy(() -> SamplingParams.builder()
                        .frequencyPenalty(2.5)
                        .presencePenalty(-3.0)
                        .logitBias(Map.of(5, 101.0, -1, 1.0))
                        .build())
                .hasMessageContaining("frequency_penalty must be in [-2, 2] (0 disables), got 2.5")
                .hasMessageContaining("presence_penalty must be in [-2, 2] (0 disables), got -3.0")
                .hasMessageContaining("logit_bias[5] must be in [-100, 100], got 101.0")
                .hasMessageContaining("logit_bias[-1] must be a token id >= 0");
        ModelInfo m = new ModelInfo(3, 3, 16, 51200, 128, List.of(1), 3, true, Map.of());
        assertThat(SamplingParams.builder()
                        .logitBias(Map.of(51200, 1.0))
                        .build()
                        .problemsFor(m, new int[] {1}))
                .extracting(ParamProblem::toString)
                .containsExactly("logit_bias[51200] must be a token id in [0, 51200)," + " got 51200");
    }
}
