package dev.kotune.tokenization.train;

import java.util.Objects;

/**
 * One learned merge: {@code left + right} becomes one token. A BPE model applies merges in list order (rank).
 *
 * <p>Immutable, thread-safe.
 *
 * @param left the left token, e.g. {@code "▁안녕"}
 * @param right the right token, e.g. {@code "하세요"}
 */
public record BpeMerge(String left, String right) {
    public BpeMerge {
        Objects.requireNonNull(left, "left");
        Objects.requireNonNull(right, "right");
    }

    /** The merged token, e.g. {@code "▁안녕하세요"}. */
    public String merged() {
        return left + right;
    }
}
