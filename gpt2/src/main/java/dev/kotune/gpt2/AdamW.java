package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.kotune.checkpoint.FloatTensor;
import dev.kotune.checkpoint.StateDict;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code torch.optim.AdamW} (single-tensor path, the one HF's {@code adamw_torch} takes on CPU), element-wise and in
 * torch's order, with float32 tensors and double scalars:
 * <pre>
 *   p  ← p · (1 − lr·wd)                       (decoupled decay; only where {@code decays(name)})
 *   m  ← m + (1 − β1)·(g − m)                  (lerp)
 *   v  ← v·β2 + (1 − β2)·g·g                   (addcmul)
 *   p  ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 * Moments live next to the parameters (same engine manager). Not thread-safe; use from the training thread.
 */
public final class AdamW {

    private final Map<String, NDArray> params;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Predicate<String> decays;
    private long step;

    /**
     * @param params      live parameters by name (moments are created as zeros of the same shapes)
     * @param decays      which parameters get weight decay (HF: not biases, not LayerNorm)
     */
    public AdamW(Map<String, NDArray> params, double beta1, double beta2, double eps, double weightDecay,
                 Predicate<String> decays) {
        this.params = params;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decays = decays;
        params.forEach((n, p) -> {
            expAvg.put(n, detachedZeros(p));
            expAvgSq.put(n, detachedZeros(p));
        });
    }

    private static NDArray detachedZeros(NDArray p) {
        NDArray z = p.getManager().zeros(p.getShape());
        NDScope.unregister(z); // lives as long as the model, not the caller's scope
        return z;
    }

    /** Optimizer steps taken so far (torch's per-parameter {@code state['step']}). */
    public long stepCount() {
        return step;
    }

    /** One update with learning rate {@code lr} from the parameters' current gradients. Runs without grad mode. */
    public void step(double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / bc1;
        double bc2Sqrt = Math.sqrt(bc2);
        boolean grad = Torch.gradMode();
        Torch.setGradMode(false);
        try {
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray p = e.getValue();
                    NDArray g = p.getGradient();
                    NDArray m = expAvg.get(e.getKey());
                    NDArray v = expAvgSq.get(e.getKey());
                    if (weightDecay != 0 && decays.test(e.getKey())) {
                        p.muli(1 - lr * weightDecay);
                    }
                    m.addi(g.sub(m).muli(1 - beta1));
                    v.muli(beta2).addi(g.mul(1 - beta2).muli(g));
                    NDArray denom = v.sqrt().divi(bc2Sqrt).addi(eps);
                    p.addi(m.mul(-stepSize).divi(denom));
                }
            }
        } finally {
            Torch.setGradMode(grad);
        }
    }

    /** Moments as {@code exp_avg.<name>} / {@code exp_avg_sq.<name>} float tensors (copies). */
    public StateDict state() {
        StateDict sd = new StateDict(null);
        expAvg.forEach((n, a) -> sd.put("exp_avg." + n, copy(a)));
        expAvgSq.forEach((n, a) -> sd.put("exp_avg_sq." + n, copy(a)));
        return sd;
    }

    /** Restores moments written by {@link #state()} and the step count. */
    public void load(StateDict state, long stepCount) {
        for (String n : params.keySet()) {
            set(expAvg.get(n), state.get("exp_avg." + n), n);
            set(expAvgSq.get(n), state.get("exp_avg_sq." + n), n);
        }
        this.step = stepCount;
    }

    private static void set(NDArray target, FloatTensor src, String name) {
        if (src == null || src.numel() != target.size()) {
            throw new IllegalArgumentException("optimizer state for " + name + " is missing or has the wrong size");
        }
        FloatBuffer b = src.data().duplicate();
        b.clear();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            target.set(b);
        }
    }

    static FloatTensor copy(NDArray a) {
        long[] s = a.getShape().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        return FloatTensor.of(shape, a.toFloatArray());
    }
}
