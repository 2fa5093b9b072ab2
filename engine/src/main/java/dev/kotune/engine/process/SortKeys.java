package dev.kotune.engine.process;

/** Packs (float score, int id) into a long that sorts by score, then id, with {@code Arrays.sort}. Stateless. */
final class SortKeys {

    private SortKeys() {}

    static long key(float score, int id) {
        int b = Float.floatToIntBits(score);
        int sortable = b ^ ((b >> 31) & 0x7fffffff); // monotone in the float's value as a signed int
        return ((long) sortable << 32) | (id & 0xffffffffL);
    }

    static int index(long key) {
        return (int) key;
    }
}
