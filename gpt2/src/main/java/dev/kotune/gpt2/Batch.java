package dev.kotune.gpt2;

import java.util.List;

/**
 * One (micro-)batch of token rows, flattened row-major (B·T). Attention mask 1 = real token, 0 = padding; position
 * ids null means {@code arange(T)} per row (what the model does without them); labels use -100 for "no loss".
 * Immutable by convention (arrays are not copied); safe to share once built.
 *
 * @param batchSize    B, e.g. 4
 * @param seqLen       T, e.g. 64
 * @param inputIds     B·T token ids
 * @param attentionMask B·T of 0/1, or null for all ones
 * @param positionIds  B·T, or null for arange(T)
 * @param labels       B·T, or null when no loss is needed
 */
public record Batch(
        int batchSize, int seqLen, long[] inputIds, long[] attentionMask, long[] positionIds, long[] labels) {

    public static final long IGNORE = -100;

    public Batch {
        int n = batchSize * seqLen;
        if (inputIds.length != n
                || (attentionMask != null && attentionMask.length != n)
                || (positionIds != null && positionIds.length != n)
                || (labels != null && labels.length != n)) {
            throw new IllegalArgumentException("every array must hold B·T = " + n + " values");
        }
    }

    /** Rows of equal length (no mask, positions arange, no labels). */
    public static Batch of(List<long[]> rows) {
        int b = rows.size();
        int t = rows.get(0).length;
        long[] ids = new long[b * t];
        for (int i = 0; i < b; i++) {
            if (rows.get(i).length != t) {
                throw new IllegalArgumentException("rows differ in length; pad them and pass a mask");
            }
            System.arraycopy(rows.get(i), 0, ids, i * t, t);
        }
        return new Batch(b, t, ids, null, null, null);
    }

    /**
     * Position ids HF uses for a left-padded batch: {@code cumsum(mask) - 1}, padded slots set to 1. For a
     * right-padded batch this equals arange(T) at every real position.
     */
    public static long[] positionIdsFromMask(int batchSize, int seqLen, long[] mask) {
        long[] pos = new long[mask.length];
        for (int b = 0; b < batchSize; b++) {
            long c = 0;
            for (int t = 0; t < seqLen; t++) {
                int i = b * seqLen + t;
                c += mask[i];
                pos[i] = mask[i] == 0 ? 1 : c - 1;
            }
        }
        return pos;
    }

    /** Number of loss targets: shifted labels {@code labels[:, 1:] != -100}. */
    public long targetCount() {
        long n = 0;
        for (int b = 0; b < batchSize; b++) {
            for (int t = 1; t < seqLen; t++) {
                if (labels[b * seqLen + t] != IGNORE) {
                    n++;
                }
            }
        }
        return n;
    }
}
