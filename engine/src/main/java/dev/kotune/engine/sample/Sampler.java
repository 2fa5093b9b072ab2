package dev.kotune.engine.sample;

/**
 * Picks the next token from processed scores (HF: argmax when greedy, softmax + multinomial when sampling).
 * Implementations say whether they are thread-safe; a seeded sampler belongs to one generation.
 */
@FunctionalInterface
public interface Sampler {

    /** @param scores processed next-token scores ({@code -inf} = banned), length = vocab size */
    int sample(float[] scores);

    /** Log-probability of {@code token} under softmax({@code scores}) (what HF's normalised transition scores give). */
    static float logProb(float[] scores, int token) {
        float max = Float.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        double sum = 0;
        for (float s : scores) {
            sum += Math.exp(s - max);
        }
        return (float) (scores[token] - max - Math.log(sum));
    }
}
