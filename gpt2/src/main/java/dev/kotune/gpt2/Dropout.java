package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;

/**
 * torch's dropout (inverted: survivors scaled by 1/(1-p)) with a mask that depends only on
 * {@code (seed, microStep, site)}: before each call libtorch's CPU generator is re-seeded from that triple. So a
 * resumed run reproduces the masks of an uninterrupted one without saving generator state. The generator is
 * process-wide: models that train concurrently in one process would interleave seeds (DJL allows one active
 * GradientCollector per process anyway). Not thread-safe (the site counter advances per call); one instance per
 * forward pass.
 */
public final class Dropout {

    private final long seed;
    private final long microStep;
    private final boolean training;
    private int site;

    private Dropout(long seed, long microStep, boolean training) {
        this.seed = seed;
        this.microStep = microStep;
        this.training = training;
    }

    /** Evaluation: dropout is the identity. */
    public static Dropout off() {
        return new Dropout(0, 0, false);
    }

    /** Training mode for one micro-batch. */
    public static Dropout training(long seed, long microStep) {
        return new Dropout(seed, microStep, true);
    }

    public boolean training() {
        return training;
    }

    /** x with elements zeroed with probability p and the rest scaled by 1/(1-p); identity when off or p == 0. */
    NDArray apply(NDArray x, double p) {
        int s = site++;
        if (!training || p <= 0) {
            return x;
        }
        Torch.seed(mix(seed, microStep, s));
        return Torch.dropout(x, p); // same shape as x
    }

    private static long mix(long seed, long step, int site) {
        long h = seed * 0x9E3779B97F4A7C15L + step;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + site;
        return h ^ (h >>> 29);
    }
}
