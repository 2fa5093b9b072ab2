package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.functional.layer_norm} over the last axis. Stateless, thread-safe. */
final class LayerNorm {

    private LayerNorm() {}

    /** x (..., C), weight (C), bias (C) → (..., C). */
    static NDArray apply(NDArray x, NDArray weight, NDArray bias, float eps) {
        long c = x.getShape().get(x.getShape().dimension() - 1);
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(c), weight, bias, eps)
                .singletonOrThrow();
    }
}
