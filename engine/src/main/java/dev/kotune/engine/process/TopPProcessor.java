package dev.kotune.engine.process;

import dev.kotune.engine.TokenSequence;
import java.util.Arrays;

/**
 * HF {@code TopPLogitsWarper} (min_tokens_to_keep 1), step for step: sort scores ascending, softmax, cumulative sum
 * (accumulated in double and rounded to float per element, as torch's CPU cumsum does), drop the entries whose
 * cumulative probability is ≤ {@code (float) (1 - p)}, always keep the largest. Entries already at {@code -inf} add
 * exactly 0 to the sum, so only the finite ones are sorted (after top-k: 50, not 51200). Sampling only. Thread-safe.
 */
public final class TopPProcessor implements LogitsProcessor {

    private final float cut;

    /** @param p (0, 1], e.g. 0.9 */
    public TopPProcessor(double p) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + p);
        }
        this.cut = (float) (1 - p);
    }

    @Override
    public void process(TokenSequence seq, float[] logits) {
        long[] keys = new long[logits.length];
        int m = 0;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] != Float.NEGATIVE_INFINITY) {
                keys[m++] = SortKeys.key(logits[i], i);
            }
        }
        if (m == 0) {
            return;
        }
        Arrays.sort(keys, 0, m); // ascending by score, ties by id
        float max = logits[SortKeys.index(keys[m - 1])];
        float[] e = new float[m];
        float sum = 0;
        for (int j = 0; j < m; j++) {
            e[j] = (float) Math.exp(logits[SortKeys.index(keys[j])] - max);
            sum += e[j];
        }
        float inv = 1f / sum;
        double cum = 0;
        for (int j = 0; j < m - 1; j++) { // the last (largest) is always kept
            cum += e[j] * inv;
            if ((float) cum > cut) {
                break; // cumulative sums only grow
            }
            logits[SortKeys.index(keys[j])] = Float.NEGATIVE_INFINITY;
        }
    }
}
