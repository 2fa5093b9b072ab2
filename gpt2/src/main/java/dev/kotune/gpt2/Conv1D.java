package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;

/** transformers' {@code Conv1D}: {@code y = x @ W + b} with W stored (in, out). Stateless, thread-safe. */
final class Conv1D {

    private Conv1D() {}

    /** x (B, T, in), weight (in, out), bias (out) → (B, T, out); x itself is left open. */
    static NDArray apply(NDArray x, NDArray weight, NDArray bias) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long in = x.getShape().get(2);
        NDArray flat = x.reshape(b * t, in); // (B·T, in)
        NDArray y = flat.matMul(weight); // (B·T, out)
        flat.close();
        y = Temps.then(y, y.add(bias)); // (B·T, out)
        return Temps.then(y, y.reshape(b, t, weight.getShape().get(1))); // (B, T, out)
    }
}
