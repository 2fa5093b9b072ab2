package dev.kotune.bench.tokenizer;

import java.util.Arrays;

/**
 * Timings of one benchmarked path: every timed run's seconds, the tokens each run produced, and the median.
 *
 * @param name what was measured, e.g. {@code "in-process encodeIds(batch)"}
 * @param tokens tokens produced by one run, e.g. 514650
 * @param seconds wall time of each timed run
 */
record Measurement(String name, long tokens, double[] seconds) {
    double medianSeconds() {
        double[] s = seconds.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    double tokensPerSecond() {
        return tokens / medianSeconds();
    }

    /** Runs {@code body} {@code warmup} times untimed, then {@code runs} times timed; each run returns its token count. */
    static Measurement measure(String name, int warmup, int runs, Run body) throws Exception {
        long tokens = 0;
        for (int i = 0; i < warmup; i++) {
            tokens = body.run();
        }
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            long produced = body.run();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
            if (tokens != 0 && produced != tokens) {
                throw new IllegalStateException(
                        name + ": run " + i + " produced " + produced + " tokens, not " + tokens);
            }
            tokens = produced;
        }
        Measurement m = new Measurement(name, tokens, seconds);
        System.err.printf(
                "  %-48s %,12.0f tokens/s  (median %.3f s of %s)%n",
                name, m.tokensPerSecond(), m.medianSeconds(), Arrays.toString(seconds));
        return m;
    }

    /** One benchmark run. */
    interface Run {
        long run() throws Exception;
    }
}
