package dev.kotune.gpt2;

/**
 * One tokenized training row (e.g. from the tokenization module's PrepareExamples): ids, attention mask (1 real,
 * 0 pad) and labels (-100 = no loss). Rows of one batch may differ in length; the collator right-pads them.
 * Immutable by convention (arrays are not copied).
 */
public record TrainingExample(long[] inputIds, long[] attentionMask, long[] labels) {

    public TrainingExample {
        if (attentionMask.length != inputIds.length || labels.length != inputIds.length) {
            throw new IllegalArgumentException("ids, mask and labels must have the same length");
        }
    }

    public static TrainingExample of(int[] ids, int[] mask, int[] labels) {
        long[] a = new long[ids.length];
        long[] b = new long[ids.length];
        long[] c = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            a[i] = ids[i];
            b[i] = mask[i];
            c[i] = labels[i];
        }
        return new TrainingExample(a, b, c);
    }
}
