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
 * {@code torch.optim.AdamW} (the single-tensor path HF's {@code adamw_torch} takes on CPU) with float32 state and
 * torch's per-element formula order, double scalars rounded to float as torch's CPU kernels do:
 * <pre>
 *   g  ← g · clip                               (the clip_grad_norm_ coefficient, 1 when not clipping)
 *   p  ← p · (1 − lr·wd)                        (decoupled decay; only where {@code decays(name)})
 *   m  ← m + (1 − β1)·(g − m)                   (lerp)
 *   v  ← v·β2 + (1 − β2)·g·g                    (addcmul)
 *   p  ← p + (−lr / (1 − β1^t))·m / (√v / √(1 − β2^t) + ε)
 *   g  ← 0                                      (zero_grad)
 * </pre>
 * Fused: one pass over p, g, m, v per parameter, in Java, on zero-copy views of the libtorch tensors
 * ({@code toByteBuffer(true)}), split over the common fork-join pool. Elements are independent, so the result does not
 * depend on the thread count. Moments live next to the parameters (same engine manager). Not thread-safe; use from
 * the training thread.
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
    public AdamW(
            Map<String, NDArray> params,
            double beta1,
            double beta2,
            double eps,
            double weightDecay,
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

    /** One update with learning rate {@code lr} from the parameters' current gradients (not clipped). */
    public void step(double lr) {
        step(lr, 1f);
    }

    /**
     * One update with learning rate {@code lr}; the gradients are first multiplied by {@code gradScale} (the
     * clipping coefficient) and are zero afterwards.
     */
    public void step(double lr, float gradScale) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        Scalars k = new Scalars(
                gradScale,
                (float) (1 - lr * weightDecay),
                (float) (1 - beta1),
                (float) beta2,
                (float) (1 - beta2),
                (float) Math.sqrt(bc2),
                (float) eps,
                (float) (-(lr / bc1)));
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            try (NDArray g = p.getGradient()) {
                boolean decay = weightDecay != 0 && decays.test(e.getKey());
                update(view(p), view(g), view(expAvg.get(e.getKey())), view(expAvgSq.get(e.getKey())), decay, k);
            }
        }
    }

    /** Float scalars of one step, already rounded to float32 as torch's kernels round them. */
    private record Scalars(
            float clip, float decay, float w1, float b2, float s2, float bc2Sqrt, float eps, float negStepSize) {}

    private static final int CHUNK = 1 << 16;

    private static void update(FloatBuffer p, FloatBuffer g, FloatBuffer m, FloatBuffer v, boolean decay, Scalars k) {
        int n = p.capacity();
        int chunks = (n + CHUNK - 1) / CHUNK;
        java.util.stream.IntStream range = java.util.stream.IntStream.range(0, chunks);
        (chunks > 1 ? range.parallel() : range).forEach(c -> {
            int end = Math.min(n, (c + 1) * CHUNK);
            for (int i = c * CHUNK; i < end; i++) {
                float gi = g.get(i) * k.clip;
                float pi = p.get(i);
                if (decay) {
                    pi = pi * k.decay;
                }
                float mi = m.get(i);
                mi = mi + k.w1 * (gi - mi);
                float vi = v.get(i) * k.b2 + k.s2 * gi * gi;
                float denom = (float) Math.sqrt(vi) / k.bc2Sqrt + k.eps;
                p.put(i, pi + k.negStepSize * mi / denom);
                m.put(i, mi);
                v.put(i, vi);
                g.put(i, 0f);
            }
        });
    }

    /** A zero-copy float view of a contiguous CPU tensor. */
    private static FloatBuffer view(NDArray a) {
        java.nio.ByteBuffer b = ((ai.djl.pytorch.engine.PtNDArray) a).toByteBuffer(true);
        if (!b.isDirect() || b.capacity() != a.size() * 4) {
            throw new IllegalStateException("tensor " + a.getName() + " is not a contiguous float32 CPU tensor");
        }
        return b.order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
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
