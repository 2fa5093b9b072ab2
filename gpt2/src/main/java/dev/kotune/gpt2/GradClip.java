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

    private GradClip() {
    }

    /** Clips in place and returns the total norm before clipping (what HF logs as grad_norm). */
    public static float clip(Collection<NDArray> params, double maxNorm) {
        boolean grad = Torch.gradMode();
        Torch.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList norms = new NDList();
            NDList grads = new NDList();
            for (NDArray p : params) {
                NDArray g = p.getGradient();
                grads.add(g);
                norms.add(g.norm());
            }
            float total = NDArrays.stack(norms).norm().getFloat();
            float coef = (float) maxNorm / (total + 1e-6f);
            if (coef > 1f) {
                coef = 1f;
            }
            for (NDArray g : grads) {
                g.muli(coef);
            }
            return total;
        } finally {
            Torch.setGradMode(grad);
        }
    }
}
