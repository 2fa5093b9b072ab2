package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;

/**
 * {@code gelu_new(x) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, evaluated in the order transformers'
 * {@code NewGELUActivation} does. Stateless, thread-safe.
 */
final class GeluNew {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private GeluNew() {}

    /** x (..., I) → (..., I); x itself is left open. */
    static NDArray apply(NDArray x) {
        // scalars as libtorch-owned 0-dim tensors, not DJL's Number overloads (see Torch.scalar)
        NDArray three = Torch.scalar(x, 3.0f);
        NDArray cubic = Torch.scalar(x, 0.044715f);
        NDArray scale = Torch.scalar(x, SQRT_2_OVER_PI);
        NDArray one = Torch.scalar(x, 1.0f);
        NDArray halfScalar = Torch.scalar(x, 0.5f);
        NDArray t = x.pow(three); // (..., I)
        t = Temps.then(t, t.mul(cubic));
        t = Temps.then(t, t.add(x));
        t = Temps.then(t, t.mul(scale));
        t = Temps.then(t, t.tanh());
        t = Temps.then(t, t.add(one)); // (..., I)
        NDArray half = x.mul(halfScalar); // (..., I)
        NDArray y = half.mul(t); // (..., I)
        Temps.close(half, t, three, cubic, scale, one, halfScalar);
        return y;
    }
}
