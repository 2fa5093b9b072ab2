package dev.kotune.trainer.run;

import dev.kotune.engine.GenerationConfig;
import dev.kotune.trainer.domain.GenerationSettings;
import java.util.List;

/**
 * Maps a job's evaluation {@link GenerationSettings} to the engine's {@link GenerationConfig} (HF generate()
 * semantics). The engine validates the result and names every bad field; the validator calls {@link #toEngine} too, so
 * a job the engine would refuse is rejected before it runs. Stateless, thread-safe.
 */
public final class GenerationConfigs {

    private GenerationConfigs() {
    }

    /**
     * @param eosId the tokenizer's EOS id (stops a sequence when {@code stopAtEos})
     * @param padId the tokenizer's PAD id
     * @throws IllegalArgumentException naming every field the engine refuses
     */
    public static GenerationConfig toEngine(GenerationSettings s, int eosId, int padId) {
        // With stop_at_eos off, an id no model produces keeps the engine from falling back to the model's EOS.
        List<Integer> eos = s.stopAtEos() ? List.of(eosId) : List.of(Integer.MAX_VALUE);
        return GenerationConfig.builder()
                .maxLength(s.maxLength())
                .maxNewTokens(s.maxNewTokens())
                .minNewTokens(s.minNewTokens())
                .doSample(s.doSample())
                .temperature(s.temperature())
                .topK(s.topK())
                .topP(s.topP())
                .repetitionPenalty(s.repetitionPenalty())
                .noRepeatNgramSize(s.noRepeatNgramSize())
                .eosTokenIds(eos)
                .padTokenId(padId)
                .stopStrings(s.stop())
                .seed(s.seed())
                .logprobs(false)
                .build();
    }
}
