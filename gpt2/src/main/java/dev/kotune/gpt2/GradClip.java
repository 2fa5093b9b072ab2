package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import java.util.Collection;

/**
 * {@code torch.nn.utils.clip_grad_norm_(params, max_norm)}: total = ‖(‖g_1‖₂, …, ‖g_n‖₂)‖₂ in float32, every gradient
 * multiplied by {@code min(1, max_norm / (total + 1e-6))}. Stateless.
 */
public final class GradClip {

    private GradClip() {}

    /** The total L2 norm of all gradients, ‖(‖g_1‖₂, …, ‖g_n‖₂)‖₂ in float32 (torch's order). */
    public static float totalNorm(Collection<NDArray> params) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList norms = new NDList();
            for (NDArray p : params) {
                norms.add(p.getGradient().norm());
            }
            return NDArrays.stack(norms).norm().getFloat();
        }
    }

    /** {@code min(1, max_norm / (total + 1e-6))} in float32, as clip_grad_norm_ computes it. */
    public static float coefficient(float totalNorm, double maxNorm) {
        float coef = (float) maxNorm / (totalNorm + 1e-6f);
        return Math.min(coef, 1f);
    }

    /** Clips in place and returns the total norm before clipping (what HF logs as grad_norm). */
    public static float clip(Collection<NDArray> params, double maxNorm) {
        float total = totalNorm(params);
        float coef = coefficient(total, maxNorm);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (NDArray p : params) {
                p.getGradient().muli(coef);
            }
        }
        return total;
    }
}
