package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;

/**
 * {@code gelu_new(x) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, evaluated in the order transformers'
 * {@code NewGELUActivation} does. Stateless, thread-safe.
 */
final class GeluNew {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private GeluNew() {
    }

    /** x (..., I) → (..., I); x itself is left open. */
    static NDArray apply(NDArray x) {
        NDArray t = x.pow(3.0f); // (..., I)
        t = Temps.then(t, t.mul(0.044715f));
        t = Temps.then(t, t.add(x));
        t = Temps.then(t, t.mul(SQRT_2_OVER_PI));
        t = Temps.then(t, t.tanh());
        t = Temps.then(t, t.add(1.0f)); // (..., I)
        NDArray half = x.mul(0.5f); // (..., I)
        NDArray y = half.mul(t); // (..., I)
        Temps.close(half, t);
        return y;
    }
}
