package dev.kotune.gpt2;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The order in which an epoch visits the dataset (indices 0..n-1). Implementations are immutable and thread-safe.
 */
@FunctionalInterface
public interface DataOrder {

    int[] epoch(int epoch, int size);

    /**
     * Our seeded shuffle: Fisher–Yates driven by {@code SplittableRandom(seed · 0x9E3779B97F4A7C15 + epoch)}. Stable
     * across JVMs and runs; not torch's {@code randperm} (HF's order for the same seed differs — inject it with
     * {@link #fixed} where a test needs HF's exact order).
     */
    static DataOrder seededShuffle(long seed) {
        return (epoch, size) -> {
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
            int[] a = new int[size];
            for (int i = 0; i < size; i++) {
                a[i] = i;
            }
            for (int i = size - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = a[i];
                a[i] = a[j];
                a[j] = t;
            }
            return a;
        };
    }

    /** 0, 1, …, n-1 every epoch. */
    static DataOrder sequential() {
        return (epoch, size) -> {
            int[] a = new int[size];
            for (int i = 0; i < size; i++) {
                a[i] = i;
            }
            return a;
        };
    }

    /** Explicit orders, one per epoch (e.g. the order HF's sampler produced, recorded in a golden). */
    static DataOrder fixed(List<int[]> perEpoch) {
        return (epoch, size) -> {
            if (epoch >= perEpoch.size()) {
                throw new IllegalStateException("no order given for epoch " + epoch);
            }
            int[] o = perEpoch.get(epoch).clone();
            if (o.length != size) {
                throw new IllegalStateException(
                        "epoch " + epoch + " order has " + o.length + " indices, dataset " + size);
            }
            return o;
        };
    }
}
