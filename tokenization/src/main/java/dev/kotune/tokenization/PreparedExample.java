package dev.kotune.tokenization;

import java.util.Arrays;
import java.util.Objects;

/**
 * One training row. Arrays are owned by this record: do not modify them.
 *
 * @param inputIds token ids, right-padded with PAD as asked, e.g. 64 ids
 * @param attentionMask 1 for real tokens, 0 for padding; same length as {@code inputIds}
 * @param labels {@code inputIds} with -100 on padding (and on the prompt when completion-only)
 * @param truncated true when the text had more than max_length tokens and was cut
 * @param length real (non-pad) tokens, e.g. 22
 * @param promptLength leading tokens that belong to the prompt part of the template, at most {@code length}
 * @param untruncatedLength tokens of the full text before truncation, e.g. 22
 */
public record PreparedExample(
        int[] inputIds,
        int[] attentionMask,
        int[] labels,
        boolean truncated,
        int length,
        int promptLength,
        int untruncatedLength) {

    /** The label that makes the loss ignore a position (PyTorch's cross-entropy {@code ignore_index}). */
    public static final int IGNORE_INDEX = -100;

    public PreparedExample {
        Objects.requireNonNull(inputIds, "inputIds");
        Objects.requireNonNull(attentionMask, "attentionMask");
        Objects.requireNonNull(labels, "labels");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreparedExample e
                && Arrays.equals(inputIds, e.inputIds)
                && Arrays.equals(attentionMask, e.attentionMask)
                && Arrays.equals(labels, e.labels)
                && truncated == e.truncated
                && length == e.length
                && promptLength == e.promptLength
                && untruncatedLength == e.untruncatedLength;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                Arrays.hashCode(inputIds),
                Arrays.hashCode(attentionMask),
                Arrays.hashCode(labels),
                truncated,
                length,
                promptLength,
                untruncatedLength);
    }

    @Override
    public String toString() {
        return "PreparedExample[inputIds=" + Arrays.toString(inputIds) + ", attentionMask="
                + Arrays.toString(attentionMask) + ", labels=" + Arrays.toString(labels) + ", truncated=" + truncated
                + ", length=" + length + ", promptLength=" + promptLength + ", untruncatedLength=" + untruncatedLength
                + "]";
    }
}
