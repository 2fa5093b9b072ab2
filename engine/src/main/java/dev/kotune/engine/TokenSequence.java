package dev.kotune.engine;

import java.util.Arrays;

/**
 * One row of a batch as Hugging Face's {@code generate()} sees it: {@code padding} left-pad slots, then the prompt,
 * then the tokens generated so far (after a row finishes, HF keeps appending pad ids; so do we, to keep the batch
 * rectangular). Logits processors read it; the {@link Generator} appends to it. Not thread-safe.
 */
public final class TokenSequence {

    private int[] ids;
    private int length;
    private final int padding;
    private final int promptLength;

    /**
     * @param row          padded prompt row, e.g. {@code [3, 3, 24454, 401, ...]} (pads first)
     * @param padding      leading pad slots in {@code row}, e.g. 2
     * @param capacity     expected final length (grows if exceeded)
     */
    public TokenSequence(int[] row, int padding, int capacity) {
        if (padding < 0 || padding > row.length) {
            throw new IllegalArgumentException("padding " + padding + " outside [0, " + row.length + "]");
        }
        this.ids = Arrays.copyOf(row, Math.max(capacity, row.length));
        this.length = row.length;
        this.padding = padding;
        this.promptLength = row.length;
    }

    /**
     * A row with history: {@code ids[0, promptLength)} is the (padded) prompt and the rest was generated
     * (tests, replaying HF's processor calls).
     */
    public static TokenSequence withHistory(int[] ids, int padding, int promptLength) {
        TokenSequence s = new TokenSequence(Arrays.copyOf(ids, promptLength), padding, ids.length);
        for (int i = promptLength; i < ids.length; i++) {
            s.append(ids[i]);
        }
        return s;
    }

    /** Convenience: an unpadded prompt. */
    public static TokenSequence of(int... prompt) {
        return new TokenSequence(prompt, 0, prompt.length);
    }

    /** Current length including padding, prompt and generated tokens (HF's {@code input_ids.shape[-1]}). */
    public int length() {
        return length;
    }

    public int get(int i) {
        if (i < 0 || i >= length) {
            throw new IndexOutOfBoundsException(i + " outside [0, " + length + ")");
        }
        return ids[i];
    }

    /** Leading pad slots (HF's {@code prompt_ignore_length} for the repetition penalty). */
    public int padding() {
        return padding;
    }

    /** Padded prompt length (HF's {@code input_ids_seq_length}: what min_new_tokens counts from). */
    public int promptLength() {
        return promptLength;
    }

    /** Tokens generated so far. */
    public int generatedCount() {
        return length - promptLength;
    }

    public int last() {
        return ids[length - 1];
    }

    void append(int id) {
        if (length == ids.length) {
            ids = Arrays.copyOf(ids, Math.max(8, ids.length * 2));
        }
        ids[length++] = id;
    }

    /** A copy of everything (padding included). */
    public int[] toArray() {
        return Arrays.copyOf(ids, length);
    }

    /** A copy of the ids in {@code [from, to)}. */
    public int[] slice(int from, int to) {
        return Arrays.copyOfRange(ids, from, to);
    }

    @Override
    public String toString() {
        return "TokenSequence" + Arrays.toString(toArray()) + " (padding " + padding + ", prompt " + promptLength + ")";
    }
}
