package dev.kotune.engine.process;

import dev.kotune.engine.TokenSequence;
import java.util.HashMap;
import java.util.Map;

/**
 * OpenAI's (and vLLM's) frequency and presence penalties over the tokens generated so far (the prompt does not
 * count): {@code logits[t] -= frequency_penalty * count(t) + presence_penalty * (count(t) > 0)}, in float32.
 * Thread-safe.
 */
public final class FrequencyPresencePenaltyProcessor implements LogitsProcessor {

    private final float frequency;
    private final float presence;

    /** @param frequencyPenalty e.g. 0.5; @param presencePenalty e.g. 0.5 (both [-2, 2], 0 disables) */
    public FrequencyPresencePenaltyProcessor(double frequencyPenalty, double presencePenalty) {
        this.frequency = (float) frequencyPenalty;
        this.presence = (float) presencePenalty;
    }

    @Override
    public void process(TokenSequence seq, float[] logits) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = seq.promptLength(); i < seq.length(); i++) {
            counts.merge(seq.get(i), 1, Integer::sum);
        }
        counts.forEach((id, n) -> {
            if (id >= 0 && id < logits.length) {
                logits[id] -= frequency * n + presence;
            }
        });
    }
}
