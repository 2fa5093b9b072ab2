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

    static NDArray apply(NDArray x) {
        NDArray inner = x.pow(3.0f).mul(0.044715f).add(x).mul(SQRT_2_OVER_PI); // (..., I)
        return x.mul(0.5f).mul(inner.tanh().add(1.0f)); // (..., I)
    }
}
