package dev.kotune.engine.sample;

import java.util.SplittableRandom;

/**
 * softmax (in double) + one multinomial draw. With a seed the draws are reproducible within kotune (same seed,
 * model, prompt and settings → same tokens); they are NOT bit-identical to torch's RNG, so a seeded HF run and a
 * seeded kotune run sample different tokens. Not thread-safe (owns its random stream): one per generation.
 */
public final class MultinomialSampler implements Sampler {

    private final SplittableRandom random;

    /** @param seed null: a random seed */
    public MultinomialSampler(Long seed) {
        this.random = seed != null ? new SplittableRandom(seed) : new SplittableRandom();
    }

    @Override
    public int sample(float[] scores) {
        float max = Float.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalStateException("every token is banned (all scores are -inf)");
        }
        double sum = 0;
        for (float s : scores) {
            sum += Math.exp(s - max);
        }
        double u = random.nextDouble() * sum;
        double acc = 0;
        int last = -1;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            acc += Math.exp(scores[i] - max);
            last = i;
            if (u < acc) {
                return i;
            }
        }
        return last; // rounding: u landed past the last finite entry
    }
}
