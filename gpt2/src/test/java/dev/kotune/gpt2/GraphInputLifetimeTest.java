package dev.kotune.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.testing.RepoFiles;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The backward pass must not depend on when the JVM frees memory. DJL's {@code manager.create(long[]/float[])} copies
 * Java data into a direct buffer that libtorch wraps without owning it ({@code from_blob}); the buffer lives only as
 * long as that NDArray's handle. Autograd keeps some of these tensors for the backward pass (embedding indices, the
 * gather index, the loss weights), so if the forward closes the handle early and a GC runs before the backward, the
 * backward reads freed memory: wrong gradients, NaN, or a crash, depending on timing (seen as NaN grad_norm and a
 * segfault in backward only under heavy load). This test makes the GC happen at the worst moment and re-fills freed
 * memory with zeros; the gradients must be bit-identical to an undisturbed backward.
 */
class GraphInputLifetimeTest {

    @BeforeAll
    static void threads() {
        Torch.configureThreads(2);
    }

    @Test
    void gradientsDoNotDependOnWhenTheJvmFreesBatchBuffers() throws Exception {
        Checkpoint ck = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2"));
        int b = 2;
        int t = 16;
        int vocab = ck.config().vocabSize();
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        long[] labels = new long[b * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 5 + (i * 7919L) % (vocab - 5);
            mask[i] = i % t < 3 && i >= t ? 0 : 1; // second row left-padded by 3
            labels[i] = mask[i] == 0 ? Batch.IGNORE : ids[i];
        }
        Batch batch = new Batch(b, t, ids, mask, Batch.positionIdsFromMask(b, t, mask), labels);
        try (Gpt2Model m = Gpt2Model.fromStateDict(ck.config().withDropout(0), ck.weights())) {
            Map<String, float[]> quiet = gradients(m, batch, false);
            Map<String, float[]> again = gradients(m, batch, false);
            Map<String, float[]> disturbed = gradients(m, batch, true);
            float wteAbs = 0;
            for (float f : quiet.get("wte.weight")) {
                wteAbs += Math.abs(f);
            }
            assertThat(wteAbs)
                    .as("the undisturbed backward produced a gradient")
                    .isPositive();
            quiet.forEach((name, g) -> {
                System.out.printf(
                        "%s: repeat %.3g, disturbed %.3g%n",
                        name, maxAbsDiff(g, again.get(name)), maxAbsDiff(g, disturbed.get(name)));
            });
            quiet.forEach((name, g) -> {
                // a repeat of the same backward is the reference: libtorch's CPU kernels are run-to-run identical
                assertThat(maxAbsDiff(g, again.get(name)))
                        .as("repeat gradient of %s", name)
                        .isZero();
                assertThat(maxAbsDiff(g, disturbed.get(name)))
                        .as("gradient of %s after a GC", name)
                        .isZero();
            });
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            double x = Math.abs((double) a[i] - b[i]);
            d = Double.isNaN(x) ? Double.POSITIVE_INFINITY : Math.max(d, x);
        }
        return d;
    }

    private static Map<String, float[]> gradients(Gpt2Model m, Batch batch, boolean freeBeforeBackward)
            throws InterruptedException {
        m.parameters().values().forEach(Torch::zeroGrad);
        List<ByteBuffer> refill = new ArrayList<>();
        try (GradientCollector gc = Torch.engine().newGradientCollector();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits = m.forward(batch, Dropout.off());
            NDArray sum = m.lossSum(logits, batch);
            logits.close();
            if (freeBeforeBackward) {
                for (int i = 0; i < 5; i++) {
                    System.gc();
                    Thread.sleep(40); // the Cleaner thread frees unreachable direct buffers
                }
                // freed chunks go back to malloc; same-size direct buffers (zero-filled) take them over
                for (int size : new int[] {
                    8 * batch.inputIds().length,
                    4 * batch.inputIds().length,
                    4 * batch.batchSize() * batch.seqLen() * batch.seqLen()
                }) {
                    for (int k = 0; k < 64; k++) {
                        refill.add(ByteBuffer.allocateDirect(size));
                    }
                }
            }
            gc.backward(sum);
        }
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        m.parameters().forEach((name, p) -> {
            try (NDArray g = p.getGradient()) {
                out.put(name, g.toFloatArray());
            }
        });
        refill.clear();
        return out;
    }
}
