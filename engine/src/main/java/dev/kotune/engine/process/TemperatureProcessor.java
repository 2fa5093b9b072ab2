package dev.kotune.engine.process;

import dev.kotune.engine.TokenSequence;

/** HF {@code TemperatureLogitsWarper}: scores / t (float32). Sampling only. Thread-safe. */
public final class TemperatureProcessor implements LogitsProcessor {

    private final float temperature;

    /** @param temperature (0, ∞), e.g. 0.3 */
    public TemperatureProcessor(double temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be in (0, inf), got " + temperature);
        }
        this.temperature = (float) temperature;
    }

    @Override
    public void process(TokenSequence seq, float[] logits) {
        for (int i = 0; i < logits.length; i++) {
            logits[i] = logits[i] / temperature;
        }
    }
}
