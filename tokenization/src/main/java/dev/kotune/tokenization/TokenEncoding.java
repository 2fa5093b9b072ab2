package dev.kotune.tokenization;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One encoded text. The id array is owned by this record: do not modify it.
 *
 * @param ids token ids in order, e.g. {@code [25906]} for "안녕"
 * @param tokens token strings when requested, else empty
 * @param offsets token spans when requested, else empty
 */
public record TokenEncoding(int[] ids, List<String> tokens, List<TokenOffset> offsets) {
    public TokenEncoding {
        Objects.requireNonNull(ids, "ids");
        tokens = List.copyOf(tokens);
        offsets = List.copyOf(offsets);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenEncoding other
                && Arrays.equals(ids, other.ids)
                && tokens.equals(other.tokens)
                && offsets.equals(other.offsets);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(ids), tokens, offsets);
    }

    @Override
    public String toString() {
        return "TokenEncoding[ids=" + Arrays.toString(ids) + ", tokens=" + tokens + ", offsets=" + offsets + "]";
    }
}
