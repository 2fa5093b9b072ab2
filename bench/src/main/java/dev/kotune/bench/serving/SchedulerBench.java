package dev.kotune.bench.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.bench.generation.Args;
import dev.kotune.engine.BatchScheduler;
import dev.kotune.engine.EngineOptions;
import dev.kotune.engine.OnnxModel;
import dev.kotune.engine.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's continuous-batching scheduler without HTTP: {@code --concurrency} closed-loop clients, each sending
 * {@code --requests} greedy requests back to back (prompts of 16–64 random ids, exactly {@code --new} tokens with
 * ignore_eos), on an exported model. Prints one JSON line per concurrency: aggregate tokens/s, TTFT and inter-token
 * latency p50/p99, mean rows per decode step. A diagnostic for bench/serving.sh (which measures the service over
 * HTTP against its peers): the gap between the two is the service's own cost.
 *
 * <pre>java -cp ... dev.kotune.bench.serving.SchedulerBench --model DIR [--concurrency "1 8 32"] [--requests 2]
 *     [--new 64] [--threads 2] [--max-batch 32] [--prefill 256]</pre>
 */
public final class SchedulerBench {

    private SchedulerBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        Path model = Path.of(a.get("model"));
        int newTokens = Integer.parseInt(a.getOrDefault("new", "64"));
        int requests = Integer.parseInt(a.getOrDefault("requests", "2"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        BatchScheduler.Options options = new BatchScheduler.Options(
                Integer.parseInt(a.getOrDefault("max-batch", "32")),
                32768,
                1024,
                Integer.parseInt(a.getOrDefault("prefill", "256")));
        ObjectMapper json = new ObjectMapper();
        try (OnnxModel m = OnnxModel.load(model, EngineOptions.defaults().withThreads(threads, 1));
                BatchScheduler s = new BatchScheduler("bench", m, options, null)) {
            run(s, 2, 1, newTokens, new SplittableRandom(0)); // warm-up
            for (String c : a.getOrDefault("concurrency", "1 8 32").trim().split("\\s+")) {
                int clients = Integer.parseInt(c);
                Level l = run(
                        s,
                        clients,
                        clients == 1 ? Math.max(requests, 8) : requests,
                        newTokens,
                        new SplittableRandom(42));
                ObjectNode o = json.createObjectNode();
                o.put("peer", "kotune scheduler (in-process)");
                o.put("concurrency", clients);
                o.put("requests", l.requests);
                o.put("tokens_per_s", l.tokens / l.seconds);
                o.put("ttft_p50_ms", percentile(l.ttft, 0.5));
                o.put("ttft_p99_ms", percentile(l.ttft, 0.99));
                o.put("itl_p50_ms", percentile(l.itl, 0.5));
                o.put("itl_p99_ms", percentile(l.itl, 0.99));
                System.out.println(json.writeValueAsString(o));
            }
        }
    }

    private record Level(int requests, long tokens, double seconds, List<Double> ttft, List<Double> itl) {}

    private static Level run(BatchScheduler s, int clients, int perClient, int newTokens, SplittableRandom random)
            throws InterruptedException {
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < clients * perClient; i++) {
            prompts.add(random.ints(16 + random.nextInt(49), 100, 50000).toArray());
        }
        SamplingParams p =
                SamplingParams.builder().maxNewTokens(newTokens).ignoreEos(true).build();
        List<Double> ttft = Collections.synchronizedList(new ArrayList<>());
        List<Double> itl = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger tokens = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(clients);
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                try {
                    for (int r = 0; r < perClient; r++) {
                        int[] prompt = prompts.get(next.getAndIncrement());
                        long start = System.nanoTime();
                        long[] last = {0};
                        BatchScheduler.Listener l = (index, token) -> {
                            long now = System.nanoTime();
                            if (last[0] == 0) {
                                ttft.add((now - start) / 1e6);
                            } else {
                                itl.add((now - last[0]) / 1e6);
                            }
                            last[0] = now;
                            tokens.incrementAndGet();
                        };
                        s.submit(prompt, p, null, l).results().join();
                    }
                } finally {
                    done.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        done.await();
        return new Level(clients * perClient, tokens.get(), (System.nanoTime() - t0) / 1e9, ttft, itl);
    }

    private static double percentile(List<Double> values, double q) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
    }
}
