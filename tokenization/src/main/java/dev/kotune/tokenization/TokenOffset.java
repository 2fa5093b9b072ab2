package dev.kotune.tokenization;

/**
 * A token's span in the input text, {@code [start, end)} in UTF-16 code units (Java {@code String} indices).
 *
 * @param start inclusive, e.g. 0
 * @param end exclusive, e.g. 2
 */
public record TokenOffset(int start, int end) {}
