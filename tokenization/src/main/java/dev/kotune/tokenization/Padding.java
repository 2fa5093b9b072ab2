package dev.kotune.tokenization;

/** How prepared sequences are padded (on the right, with the tokenizer's PAD token), as transformers' {@code padding=}. */
public enum Padding {
    /** Every sequence to {@code max_length} ({@code padding="max_length"}, the notebook's choice). */
    MAX_LENGTH,
    /** To the longest sequence of the batch ({@code padding="longest"}). */
    LONGEST,
    /** No padding ({@code padding="do_not_pad"}). */
    NONE
}
