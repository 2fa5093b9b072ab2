package dev.kotune.tokenization.train;

import java.util.Arrays;

/**
 * Count of each symbol pair (key {@link #key}), an open-addressing long → long map: the trainer updates it a few
 * million times. Not thread-safe.
 */
final class PairCounts {
    private static final long EMPTY = -1L;
    private long[] keys;
    private long[] values;
    private int size;
    private int mask;

    PairCounts(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        values = new long[capacity];
        mask = capacity - 1;
    }

    /** The key of the pair (left, right): ordering keys orders pairs by left id, then right id. */
    static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    static int left(long key) {
        return (int) (key >>> 32);
    }

    static int right(long key) {
        return (int) key;
    }

    /** The count of {@code key}, 0 if it was never added. */
    long get(long key) {
        int i = slot(key);
        return keys[i] == EMPTY ? 0 : values[i];
    }

    /** Adds {@code delta} to the count of {@code key} and returns the new count. */
    long add(long key, long delta) {
        int i = slot(key);
        if (keys[i] == EMPTY) {
            keys[i] = key;
            values[i] = delta;
            if (++size * 2 > keys.length) {
                grow();
            }
            return delta;
        }
        values[i] += delta;
        return values[i];
    }

    private int slot(long key) {
        int i = (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & mask;
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        values = new long[oldValues.length * 2];
        mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != EMPTY) {
                int i = slot(oldKeys[j]);
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
            }
        }
    }
}
