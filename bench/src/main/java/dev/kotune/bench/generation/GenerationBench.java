package dev.kotune.bench.generation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.engine.EngineOptions;
import dev.kotune.engine.Generator;
import dev.kotune.engine.OnnxModel;
import dev.kotune.engine.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * kotune's side of bench/generation.sh: greedy generation with the engine on an exported model. Same protocol as
 * bench/python/generate_peer.py: prompt ids from {@link #promptIds}, exactly {@code --new} tokens (min_new_tokens =
 * max_new_tokens), one warm-up, {@code --runs} timed runs; prints one JSON line: tokens/s from the median run, time to
 * first token (the first step: prompt prefill + first token) and decode step times (every later step), median and
 * 10th percentile over all runs — on a shared machine the 10th percentile estimates uncontended speed. Single-threaded
 * driver (the engine's own threads are ORT's intra-op pool).
 *
 * <pre>java -cp ... dev.kotune.bench.generation.GenerationBench --model DIR [--batch 1] [--prompt-len 16] [--new 64]
 *     [--threads 2] [--runs 3] [--label fused]</pre>
 */
public final class GenerationBench {

    private GenerationBench() {}

    /** Same formula as generate_peer.py's prompt_ids. */
    static List<int[]> promptIds(int batch, int length) {
        List<int[]> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] row = new int[length];
            for (int j = 0; j < length; j++) {
                row[j] = 100 + (int) (((long) b * 7919 + (long) j * 104729) % 50000);
            }
            out.add(row);
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        Path model = Path.of(a.get("model"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "1"));
        int promptLen = Integer.parseInt(a.getOrDefault("prompt-len", "16"));
        int newTokens = Integer.parseInt(a.getOrDefault("new", "64"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        int runs = Integer.parseInt(a.getOrDefault("runs", "3"));
        List<int[]> prompts = promptIds(batch, promptLen);
        EngineOptions opts = EngineOptions.defaults().withThreads(threads, 1);
        if (a.containsKey("profile")) {
            opts = opts.withProfiling(a.get("profile")); // ORT per-op trace of every run (diagnostics)
        }
        if (a.containsKey("no-spin")) {
            // idle intra-op threads sleep instead of spinning: kinder to a shared, oversubscribed machine
            opts = opts.withSessionConfig(Map.of("session.intra_op.allow_spinning", "0"));
        }
        try (OnnxModel m = OnnxModel.load(model, opts)) {
            SamplingParams full = SamplingParams.builder()
                    .maxNewTokens(newTokens)
                    .minNewTokens(newTokens)
                    .build();
            run(m, prompts, full); // warm-up
            double[] totals = new double[runs];
            double[] ttfts = new double[runs];
            double[] steps = new double[runs * (newTokens - 1)];
            double forward = 0;
            double all = 0;
            int[] tail = null;
            for (int r = 0; r < runs; r++) {
                Timed t = run(m, prompts, full);
                totals[r] = t.seconds;
                forward += t.forwardSeconds;
                all += t.seconds;
                ttfts[r] = t.stepSeconds[0];
                System.arraycopy(t.stepSeconds, 1, steps, r * (newTokens - 1), newTokens - 1);
                tail = Arrays.copyOfRange(t.firstRow, t.firstRow.length - 8, t.firstRow.length);
            }
            ObjectMapper json = new ObjectMapper();
            ObjectNode o = json.createObjectNode();
            o.put("peer", "kotune" + (a.containsKey("label") ? " (" + a.get("label") + ")" : ""));
            o.put("batch", batch);
            o.put("prompt_len", promptLen);
            o.put("new_tokens", newTokens);
            o.put("threads", threads);
            o.put("runs", runs);
            o.put("tokens_per_s", batch * newTokens / median(totals));
            o.put("ttft_ms", 1000 * median(ttfts));
            o.put("ttft_p10_ms", 1000 * percentile(ttfts, 0.1));
            o.put("decode_ms", 1000 * median(steps));
            o.put("decode_p10_ms", 1000 * percentile(steps, 0.1));
            o.put("total_ms", 1000 * median(totals));
            o.put("ort_run_share", forward / all); // time inside OrtSession.run; the rest is the engine's own work
            if (a.containsKey("profile")) {
                o.put("ort_profile", m.endProfiling());
            }
            o.set(
                    "all_total_ms",
                    json.valueToTree(Arrays.stream(totals)
                            .map(x -> Math.round(x * 10000) / 10.0)
                            .toArray()));
            o.set("first_row_tail", json.valueToTree(tail));
            System.out.println(json.writeValueAsString(o));
        }
    }

    /** A run's wall time, per-step times (step 0 includes creating the generator and the prefill), first row. */
    private record Timed(double seconds, double forwardSeconds, double[] stepSeconds, int[] firstRow) {}

    private static Timed run(OnnxModel m, List<int[]> prompts, SamplingParams c) throws Exception {
        long t0 = System.nanoTime();
        double[] steps = new double[c.maxNewTokens()];
        try (Generator g = m.generator(prompts, c, null, null)) {
            long last = t0;
            for (int i = 0; !g.isDone(); i++) {
                g.step();
                long now = System.nanoTime();
                steps[i] = (now - last) / 1e9;
                last = now;
            }
            double dt = (System.nanoTime() - t0) / 1e9;
            return new Timed(
                    dt, g.stats().forward() / 1e9, steps, g.results().get(0).allIds());
        }
    }

    /** Nearest-rank percentile, q in (0, 1]. */
    static double percentile(double[] x, double q) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[Math.max(0, (int) Math.ceil(q * s.length) - 1)];
    }

    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
