package dev.kotune.bench.generation;

/**
 * Copy bandwidth for bench/generation.sh: {@code System.arraycopy} of a 256 MiB array (far larger than the caches),
 * {@code --threads N} threads on disjoint parts, best of 8, counting bytes read + written. A copy understates what a
 * read-only stream reaches (every written line is also fetched), so the roofline uses generate_peer.py's read figure
 * ({@code np.dot(a, a)}); this one is reported beside it. Prints {@code {"copy_gb_per_s": ..., "threads": N}}.
 */
public final class MemoryBandwidth {

    private static final int N = 64 << 20; // 4-byte elements: 256 MiB

    private MemoryBandwidth() {}

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(Args.parse(args).getOrDefault("threads", "1"));
        int[] src = new int[N];
        int[] dst = new int[N];
        for (int i = 0; i < N; i++) {
            src[i] = i;
        }
        double best = 0;
        for (int rep = 0; rep < 8; rep++) {
            long t0 = System.nanoTime();
            Thread[] ts = new Thread[threads];
            int chunk = N / threads;
            for (int t = 0; t < threads; t++) {
                int from = t * chunk;
                int len = t == threads - 1 ? N - from : chunk;
                ts[t] = new Thread(() -> System.arraycopy(src, from, dst, from, len));
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, 2.0 * N * Integer.BYTES / s / 1e9);
        }
        if (dst[N - 1] != N - 1) {
            throw new IllegalStateException("copy failed");
        }
        System.out.printf(
                "{\"copy_gb_per_s\": %.2f, \"threads\": %d, \"bytes\": %d}%n", best, threads, 2L * N * Integer.BYTES);
    }
}
