package dev.kotune.bench.training;

import dev.kotune.checkpoint.GPT2Config;
import dev.kotune.gpt2.DataOrder;
import dev.kotune.gpt2.Gpt2Model;
import dev.kotune.gpt2.Torch;
import dev.kotune.gpt2.Trainer;
import dev.kotune.gpt2.TrainingArguments;
import dev.kotune.gpt2.TrainingExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Training throughput of {@link Trainer} at KoGPT2-base size (125M parameters, random init, dropout 0.1 as in the
 * config) on batch 4 × 64 tokens, CPU. The data are the same synthetic rows {@code bench/python/train_peer.py} feeds
 * HF's Trainer: row i, position t holds token {@code (i·7919 + t·104729 + 12345) mod 51200}; labels = ids.
 * Prints one JSON line: samples/s over the timed steps (after warmup steps), seconds per step, each timed step's
 * seconds and peak RSS (VmHWM).
 *
 * <pre>java -Dai.djl.offline=true -cp ... dev.kotune.bench.training.TrainingBench [steps] [warmup] [threads] [out.json]</pre>
 */
public final class TrainingBench {

    private TrainingBench() {}

    public static void main(String[] a) throws Exception {
        int steps = a.length > 0 ? Integer.parseInt(a[0]) : 10;
        int warmup = a.length > 1 ? Integer.parseInt(a[1]) : 2;
        int threads = a.length > 2 ? Integer.parseInt(a[2]) : 2;
        Path out = a.length > 3 ? Path.of(a[3]) : null;
        int batch = 4;
        int seq = 64;
        Torch.configureThreads(threads);
        GPT2Config config = GPT2Config.kogpt2Base();
        List<TrainingExample> data = new ArrayList<>();
        int total = steps + warmup;
        for (int i = 0; i < total * batch; i++) {
            long[] ids = new long[seq];
            long[] mask = new long[seq];
            for (int t = 0; t < seq; t++) {
                ids[t] = ((long) i * 7919 + (long) t * 104729 + 12345) % 51200;
                mask[t] = 1;
            }
            data.add(new TrainingExample(ids, mask, ids.clone()));
        }
        TrainingArguments args = TrainingArguments.notebook()
                .withBatch(batch, 1)
                .withEpochs(1, total)
                .withLogging(1_000_000);
        long[] stamps = new long[total + 1];
        long t0;
        long params = 0;
        try (Gpt2Model model = Gpt2Model.random(config, 42)) {
            for (var p : model.parameters().values()) {
                params += p.size();
            }
            System.err.printf("kotune: %d parameters, %d intra-op threads%n", params, Torch.intraOpThreads());
            Trainer trainer = new Trainer(model, args, DataOrder.sequential());
            t0 = System.nanoTime();
            stamps[0] = t0;
            trainer.train(
                    data,
                    e -> {
                        stamps[(int) e.step()] = System.nanoTime();
                        System.err.printf(
                                "kotune step %d loss %.4f %.2fs%n",
                                e.step(), e.loss(), (stamps[(int) e.step()] - stamps[(int) e.step() - 1]) / 1e9);
                    },
                    () -> false);
        }
        double timed = (stamps[total] - stamps[warmup]) / 1e9;
        StringBuilder per = new StringBuilder();
        for (int i = warmup + 1; i <= total; i++) {
            per.append(i == warmup + 1 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%.4f", (stamps[i] - stamps[i - 1]) / 1e9));
        }
        String json = String.format(
                Locale.ROOT,
                "{\"impl\": \"kotune (DJL %s, libtorch)\", \"params\": %d, \"batch\": %d, \"seq\": %d, "
                        + "\"timed_steps\": %d, \"seconds_per_step\": %.4f, \"samples_per_second\": %.4f, "
                        + "\"peak_rss_mb\": %.1f, \"step_seconds\": [%s]}",
                ai.djl.engine.Engine.getDjlVersion(),
                params,
                batch,
                seq,
                steps,
                timed / steps,
                steps * batch / timed,
                peakRssMb(),
                per);
        System.out.println(json);
        if (out != null) {
            Files.writeString(out, json + "\n");
        }
    }

    /** VmHWM of this process from /proc (Linux), in MiB. */
    static double peakRssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return -1;
    }
}
