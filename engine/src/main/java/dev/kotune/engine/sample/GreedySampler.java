package dev.kotune.engine.sample;

/** argmax; the first index on ties, like {@code torch.argmax}. Stateless, thread-safe. */
public final class GreedySampler implements Sampler {

    public static final GreedySampler INSTANCE = new GreedySampler();

    @Override
    public int sample(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }
}
