package dev.kotune.bench.generation;

import dev.kotune.engine.EngineOptions;
import dev.kotune.engine.Generator;
import dev.kotune.engine.OnnxModel;
import dev.kotune.engine.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A/B of two exports of the same weights (the plain and fused graph flavours) in one JVM: both sessions stay loaded
 * and runs alternate A, B, A, B, ... so machine load drifts hit both alike. Per flavour: time to first token and decode
 * step times (median and 10th percentile over all runs), and how many of the paired runs each one won.
 * Greedy, exactly {@code --new} tokens, prompts from {@link GenerationBench#promptIds}.
 *
 * <pre>java -cp ... dev.kotune.bench.generation.FlavourAB --a DIR --b DIR [--batch 1] [--pairs 10] [--threads 2]</pre>
 */
public final class FlavourAB {

    private FlavourAB() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        int batch = Integer.parseInt(a.getOrDefault("batch", "1"));
        int pairs = Integer.parseInt(a.getOrDefault("pairs", "10"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        int newTokens = Integer.parseInt(a.getOrDefault("new", "64"));
        List<int[]> prompts = GenerationBench.promptIds(batch, Integer.parseInt(a.getOrDefault("prompt-len", "16")));
        SamplingParams c = SamplingParams.builder()
                .maxNewTokens(newTokens)
                .minNewTokens(newTokens)
                .build();
        EngineOptions opts = EngineOptions.defaults().withThreads(threads, 1);
        try (OnnxModel ma = OnnxModel.load(Path.of(a.get("a")), opts);
                OnnxModel mb = OnnxModel.load(Path.of(a.get("b")), opts)) {
            OnnxModel[] models = {ma, mb};
            List<List<Double>> ttft = List.of(new ArrayList<>(), new ArrayList<>());
            List<List<Double>> decode = List.of(new ArrayList<>(), new ArrayList<>());
            int[] wins = new int[2];
            run(ma, prompts, c, new ArrayList<>(), new ArrayList<>()); // warm-up both
            run(mb, prompts, c, new ArrayList<>(), new ArrayList<>());
            for (int p = 0; p < pairs; p++) {
                double[] total = new double[2];
                for (int k = 0; k < 2; k++) {
                    int m = (p % 2 == 0) ? k : 1 - k; // alternate who goes first
                    total[m] = run(models[m], prompts, c, ttft.get(m), decode.get(m));
                }
                wins[total[0] <= total[1] ? 0 : 1]++;
            }
            for (int m = 0; m < 2; m++) {
                double[] d =
                        decode.get(m).stream().mapToDouble(Double::doubleValue).toArray();
                double[] t =
                        ttft.get(m).stream().mapToDouble(Double::doubleValue).toArray();
                System.out.printf(
                        "{\"model\": \"%s\", \"batch\": %d, \"pairs\": %d, \"wins\": %d, \"ttft_ms\": %.1f,"
                                + " \"ttft_p10_ms\": %.1f, \"decode_ms\": %.2f, \"decode_p10_ms\": %.2f}%n",
                        a.get(m == 0 ? "a" : "b"),
                        batch,
                        pairs,
                        wins[m],
                        1000 * GenerationBench.median(t),
                        1000 * GenerationBench.percentile(t, 0.1),
                        1000 * GenerationBench.median(d),
                        1000 * GenerationBench.percentile(d, 0.1));
            }
        }
    }

    private static double run(
            OnnxModel m, List<int[]> prompts, SamplingParams c, List<Double> ttft, List<Double> decode)
            throws Exception {
        long t0 = System.nanoTime();
        long last = t0;
        try (Generator g = m.generator(prompts, c, null, null)) {
            for (int i = 0; !g.isDone(); i++) {
                g.step();
                long now = System.nanoTime();
                (i == 0 ? ttft : decode).add((now - last) / 1e9);
                last = now;
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
