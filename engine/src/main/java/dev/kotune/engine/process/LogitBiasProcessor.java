package dev.kotune.engine.process;

import dev.kotune.engine.TokenSequence;
import java.util.Map;

/** OpenAI's {@code logit_bias}: adds a fixed bias to the scores of chosen token ids ([-100, 100]). Thread-safe. */
public final class LogitBiasProcessor implements LogitsProcessor {

    private final int[] ids;
    private final float[] bias;

    /** @param bias token id → bias, e.g. {@code {8084: -100.0}} (bans it in effect) */
    public LogitBiasProcessor(Map<Integer, Double> bias) {
        this.ids = new int[bias.size()];
        this.bias = new float[bias.size()];
        int i = 0;
        for (Map.Entry<Integer, Double> e : new java.util.TreeMap<>(bias).entrySet()) {
            ids[i] = e.getKey();
            this.bias[i++] = e.getValue().floatValue();
        }
    }

    @Override
    public void process(TokenSequence seq, float[] logits) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] >= 0 && ids[i] < logits.length) {
                logits[ids[i]] += bias[i];
            }
        }
    }
}
