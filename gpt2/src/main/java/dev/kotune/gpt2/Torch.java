package dev.kotune.gpt2;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The few libtorch entry points DJL's generic NDArray API does not expose (embedding lookup, thread counts, grad
 * mode, zeroing a gradient in place). Stateless; thread counts and grad mode are process-wide libtorch settings.
 */
public final class Torch {

    private Torch() {}

    /** Makes sure the PyTorch engine is loaded (offline natives; set {@code -Dai.djl.offline=true}). */
    public static Engine engine() {
        return Engine.getEngine("PyTorch");
    }

    /**
     * Sets libtorch's intra-op threads (e.g. 2 on a 2-core machine) and 1 inter-op thread. Inter-op threads can only
     * be set once per process, before any parallel work; later calls leave them as they are.
     */
    public static void configureThreads(int intraOp) {
        engine();
        JniUtils.setNumThreads(intraOp);
        try {
            if (JniUtils.getNumInteropThreads() != 1) {
                JniUtils.setNumInteropThreads(1);
            }
        } catch (RuntimeException e) {
            // already started: libtorch refuses a second call; harmless
        }
    }

    public static int intraOpThreads() {
        engine();
        return JniUtils.getNumThreads();
    }

    /** {@code torch.nn.functional.embedding(ids, weight)}: rows of {@code weight} (V, C) for ids (B, T) → (B, T, C). */
    static NDArray embedding(NDArray ids, NDArray weight) {
        return JniUtils.embedding((PtNDArray) ids, (PtNDArray) weight, false);
    }

    /**
     * A 0-dim float32 tensor whose storage libtorch owns, for arithmetic that autograd differentiates. DJL's
     * {@code mul(Number)}-style overloads wrap the number in a GC-managed direct buffer ({@code from_blob}) and close
     * it right after the op, while autograd keeps that tensor for the backward pass (mul, div and pow save it): a GC
     * in between makes the backward read freed memory. Same dtype and value as those overloads, so same results.
     */
    static NDArray scalar(NDArray like, float v) {
        return full(like, v, DataType.FLOAT32);
    }

    /** {@link #scalar(NDArray, float)} for a double: float64, as DJL's {@code create(Double)} makes it. */
    static NDArray scalar(NDArray like, double v) {
        return full(like, v, DataType.FLOAT64);
    }

    private static NDArray full(NDArray like, double v, DataType type) {
        return JniUtils.full(
                (ai.djl.pytorch.engine.PtNDManager) like.getManager(),
                new Shape(),
                v,
                type,
                like.getDevice(),
                ai.djl.ndarray.types.SparseFormat.DENSE);
    }

    /** Seeds libtorch's default CPU generator ({@code torch.manual_seed}). */
    static void seed(long seed) {
        JniUtils.setSeed(seed);
    }

    /** {@code torch.nn.functional.dropout(x, p, training=True)}. */
    static NDArray dropout(NDArray x, double p) {
        return JniUtils.dropout((PtNDArray) x, p, true);
    }

    /** {@code torch.nn.functional.linear(x, weight)} without bias: x (..., in), weight (out, in) → (..., out). */
    static NDArray linear(NDArray x, NDArray weight) {
        return x.getNDArrayInternal().linear(x, weight, null).singletonOrThrow();
    }

    /** Zeros {@code param.grad} in place (no-op without a gradient). */
    static void zeroGrad(NDArray param) {
        JniUtils.zeroGrad((PtNDArray) param);
    }

    static boolean gradMode() {
        return JniUtils.isGradMode();
    }

    static void setGradMode(boolean on) {
        JniUtils.setGradMode(on);
    }
}
