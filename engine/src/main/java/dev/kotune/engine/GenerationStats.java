package dev.kotune.engine;

/**
 * Timings of one {@link Generator} run. Immutable, thread-safe.
 *
 * @param batch              rows, e.g. 8
 * @param promptLength       padded prompt length, e.g. 16
 * @param steps              forward passes that produced a token (the first includes the prompt), e.g. 64
 * @param timeToFirstToken   nanoseconds from the generator's creation to the first sampled tokens
 * @param total              nanoseconds from creation to the last step
 * @param forward            nanoseconds inside ONNX Runtime ({@code OrtSession.run}); the rest of {@code total} is
 *                           the engine's own work (inputs, logits processors, sampling, stop checks, streaming)
 */
public record GenerationStats(int batch, int promptLength, int steps, long timeToFirstToken, long total, long forward) {

    /** Tokens per second over all rows, counting every step's tokens (including the pad fillers of finished rows). */
    public double tokensPerSecond() {
        return total == 0 ? 0 : (double) steps * batch / (total / 1e9);
    }
}
