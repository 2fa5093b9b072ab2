package dev.kotune.engine.sample;

/**
 * Picks the next token from processed scores (HF: argmax when greedy, softmax + multinomial when sampling).
 * Implementations say whether they are thread-safe; a seeded sampler belongs to one generation.
 */
@FunctionalInterface
public interface Sampler {

    /** @param scores processed next-token scores ({@code -inf} = banned), length = vocab size */
    int sample(float[] scores);

    /**
     * log softmax over processed scores as a normaliser, found in one pass: {@code log p(t) = logProb(scores[t])}
     * (what HF's normalised transition scores give). Immutable.
     *
     * @param max    the largest score
     * @param logSum {@code log Σ exp(s - max)}
     */
    record LogSoftmax(float max, double logSum) {

        public static LogSoftmax of(float[] scores) {
            float max = Float.NEGATIVE_INFINITY;
            for (float s : scores) {
                max = Math.max(max, s);
            }
            double sum = 0;
            for (float s : scores) {
                sum += Math.exp(s - max);
            }
            return new LogSoftmax(max, Math.log(sum));
        }

        /** log p of a token whose processed score is {@code score}. */
        public float logProb(float score) {
            return (float) (score - max - logSum);
        }
    }
}
