package dev.kotune.engine.process;

import dev.kotune.engine.TokenSequence;

/**
 * HF {@code TopKLogitsWarper} (min_tokens_to_keep 1): scores below the k-th largest become {@code -inf}; ties with
 * the k-th are kept. Sampling only. Thread-safe.
 */
public final class TopKProcessor implements LogitsProcessor {

    private final int k;

    /** @param k ≥ 1, e.g. 50 */
    public TopKProcessor(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("top_k must be >= 1 here, got " + k);
        }
        this.k = k;
    }

    @Override
    public void process(TokenSequence seq, float[] logits) {
        int keep = Math.min(k, logits.length);
        float threshold = kthLargest(logits, keep);
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < threshold) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** The k-th largest value: a primitive min-heap of the k largest seen. */
    static float kthLargest(float[] x, int k) {
        float[] heap = new float[k];
        int size = 0;
        for (float v : x) {
            if (size < k) {
                heap[size] = v;
                siftUp(heap, size++);
            } else if (v > heap[0]) {
                heap[0] = v;
                siftDown(heap, size);
            }
        }
        return heap[0];
    }

    private static void siftUp(float[] h, int i) {
        while (i > 0) {
            int p = (i - 1) / 2;
            if (h[p] <= h[i]) {
                return;
            }
            float t = h[p];
            h[p] = h[i];
            h[i] = t;
            i = p;
        }
    }

    private static void siftDown(float[] h, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int m = i;
            if (l < size && h[l] < h[m]) {
                m = l;
            }
            if (r < size && h[r] < h[m]) {
                m = r;
            }
            if (m == i) {
                return;
            }
            float t = h[m];
            h[m] = h[i];
            h[i] = t;
            i = m;
        }
    }
}
