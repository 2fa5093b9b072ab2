package dev.kotune.tokenization.train;

import java.util.Arrays;

/** A growable list of ints (word indices, in ascending order where the trainer builds them). Not thread-safe. */
final class IntList {
    private int[] values = new int[2];
    private int size;

    /** Appends {@code v} unless it equals the last value: a set for values appended in ascending order. */
    void addIfNotLast(int v) {
        if (size > 0 && values[size - 1] == v) {
            return;
        }
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    int size() {
        return size;
    }

    int get(int i) {
        return values[i];
    }
}
