package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;

/**
 * Early release of intermediate tensors. DJL keeps every NDArray alive until its scope closes, while PyTorch eager
 * frees an intermediate as soon as nothing refers to it; closing our handle right after its last use gives the same
 * memory profile. Safe under autograd as long as libtorch owns the storage: tensors the backward pass needs are held
 * by the graph, not by our handle. Tensors made from Java data are not (DJL wraps a GC-managed direct buffer), so
 * {@code Gpt2Model} clones them into libtorch's allocator first.
 */
final class Temps {

    private Temps() {}

    /** Closes {@code old} and returns {@code next} (computed from it): {@code t = Temps.then(t, t.mul(2))}. */
    static NDArray then(NDArray old, NDArray next) {
        if (old != next) {
            old.close();
        }
        return next;
    }

    static void close(NDArray... arrays) {
        for (NDArray a : arrays) {
            a.close();
        }
    }
}
