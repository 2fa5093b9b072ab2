package dev.kotune.bench.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.proto.tokenizer.v1.BatchEncodeRequest;
import dev.kotune.proto.tokenizer.v1.BatchEncodeResponse;
import dev.kotune.proto.tokenizer.v1.EncodeRequest;
import dev.kotune.proto.tokenizer.v1.TokenizerServiceGrpc;
import dev.kotune.tokenization.KoTokenizer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Encode throughput on the nsmc corpus (26,159 reviews, 514,650 KoGPT2 tokens), in tokens per second:
 * in-process (the tokenization library on DJL's native HF tokenizers), over gRPC against the packaged
 * tokenizer-service (batches of 1, 32, 256), and Python {@code tokenizers}' {@code encode_batch} run by
 * {@code bench/python/tokenizer_peer.py} as a child process. The three are measured in interleaved rounds and each
 * path's runs pooled, so that load from other processes on a shared machine falls on all alike. Prints a markdown
 * table with ratios. Not a test: run {@code bench/tokenizer.sh}.
 *
 * <p>Every path must produce the same token count, or the run fails.
 */
public final class TokenizerBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerBench() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parse(argv);
        Path tokenizerFile = Path.of(args.getOrDefault("tokenizer", "../shared/data/kogpt2/tokenizer.json"));
        Path corpusFile = Path.of(args.getOrDefault("corpus", "../shared/data/nsmc/nsmc_reviews_sample.txt"));
        int warmup = Integer.parseInt(args.getOrDefault("warmup", "2"));
        int runs = Integer.parseInt(args.getOrDefault("runs", "5"));
        List<String> lines = readLines(corpusFile);
        String loadBefore = loadAverage();
        System.err.printf("corpus %s: %d lines; load average %s%n", corpusFile, lines.size(), loadBefore);

        // Rounds interleave the Python peer and the Java in-process paths, so that load from other processes on a
        // shared
        // machine falls on both alike; each path's timed runs of all rounds are pooled and their median reported.
        int rounds = Integer.parseInt(args.getOrDefault("rounds", "3"));
        Map<String, List<Double>> seconds = new java.util.LinkedHashMap<>();
        Map<String, Long> tokenCounts = new HashMap<>();
        List<Measurement> peer = new ArrayList<>();
        List<Measurement> grpc = new ArrayList<>();
        String peerVersion = "";
        int grpcRuns = Integer.parseInt(args.getOrDefault("grpc-runs", "1"));
        try (ServiceUnderTest service = startService(args, tokenizerFile);
                KoTokenizer tok = KoTokenizer.load(tokenizerFile);
                HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(
                        tokenizerFile,
                        Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
            Map<String, Measurement.Run> paths = new java.util.LinkedHashMap<>();
            paths.put("in-process encodeIds(all lines), one native batch", () -> count(tok.encodeIds(lines, false)));
            paths.put("in-process encodeIds(batches of 256)", () -> {
                long n = 0;
                for (int i = 0; i < lines.size(); i += 256) {
                    n += count(tok.encodeIds(lines.subList(i, Math.min(lines.size(), i + 256)), false));
                }
                return n;
            });
            paths.put("in-process encodeIds(line), one call per line", () -> {
                long n = 0;
                for (String line : lines) {
                    n += tok.encodeIds(line).length;
                }
                return n;
            });
            paths.put("in-process DJL batchEncode(all lines), public API", () -> {
                long n = 0;
                for (Encoding e : djl.batchEncode(lines)) {
                    n += e.getIds().length;
                }
                return n;
            });
            Map<String, Measurement.Run> rpcs = new java.util.LinkedHashMap<>();
            if (service != null) {
                var stub = TokenizerServiceGrpc.newBlockingStub(service.channel);
                rpcs.put("gRPC Encode, batch 1", () -> {
                    long n = 0;
                    for (String line : lines) {
                        n += stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                                .encode(EncodeRequest.newBuilder().setText(line).build())
                                .getEncoding()
                                .getIdsCount();
                    }
                    return n;
                });
                for (int batch : new int[] {32, 256}) {
                    rpcs.put("gRPC BatchEncode, batch " + batch, () -> {
                        long n = 0;
                        for (int i = 0; i < lines.size(); i += batch) {
                            BatchEncodeResponse r = stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                                    .batchEncode(BatchEncodeRequest.newBuilder()
                                            .addAllTexts(lines.subList(i, Math.min(lines.size(), i + batch)))
                                            .build());
                            for (var e : r.getEncodingsList()) {
                                n += e.getIdsCount();
                            }
                        }
                        return n;
                    });
                }
            }
            for (int round = 0; round < rounds; round++) {
                System.err.printf("round %d/%d (load average %s)%n", round + 1, rounds, loadAverage());
                if (args.containsKey("python")) {
                    Path json = Files.createTempFile("kotune-tokenizer-peer", ".json");
                    runPeer(
                            args.get("python"),
                            args.getOrDefault("peer-script", "bench/python/tokenizer_peer.py"),
                            tokenizerFile,
                            corpusFile,
                            round == 0 ? warmup : 1,
                            runs,
                            json);
                    for (Measurement m : readPeer(json)) {
                        seconds.computeIfAbsent("python:" + m.name(), k -> new ArrayList<>())
                                .addAll(Arrays.stream(m.seconds()).boxed().toList());
                        tokenCounts.put("python:" + m.name(), m.tokens());
                    }
                    peerVersion = readPeerVersion(json);
                    Files.deleteIfExists(json);
                }
                for (Map.Entry<String, Measurement.Run> path : paths.entrySet()) {
                    Measurement m = Measurement.measure(path.getKey(), round == 0 ? warmup : 0, runs, path.getValue());
                    seconds.computeIfAbsent(path.getKey(), k -> new ArrayList<>())
                            .addAll(Arrays.stream(m.seconds()).boxed().toList());
                    tokenCounts.put(path.getKey(), m.tokens());
                }
                for (Map.Entry<String, Measurement.Run> rpc : rpcs.entrySet()) {
                    Measurement m = Measurement.measure(rpc.getKey(), round == 0 ? 1 : 0, grpcRuns, rpc.getValue());
                    seconds.computeIfAbsent("grpc:" + rpc.getKey(), k -> new ArrayList<>())
                            .addAll(Arrays.stream(m.seconds()).boxed().toList());
                    tokenCounts.put("grpc:" + rpc.getKey(), m.tokens());
                }
            }
        }
        List<Measurement> inProcess = new ArrayList<>();
        for (Map.Entry<String, List<Double>> e : seconds.entrySet()) {
            Measurement m = new Measurement(
                    e.getKey().replaceFirst("^(python|grpc):", ""),
                    tokenCounts.get(e.getKey()),
                    e.getValue().stream().mapToDouble(Double::doubleValue).toArray());
            (e.getKey().startsWith("python:") ? peer : e.getKey().startsWith("grpc:") ? grpc : inProcess).add(m);
        }

        long tokens = inProcess.get(0).tokens();
        for (Measurement m : concat(inProcess, grpc)) {
            if (m.tokens() != tokens) {
                throw new IllegalStateException(m.name() + " produced " + m.tokens() + " tokens, in-process " + tokens);
            }
        }
        for (Measurement m : peer) {
            if (m.tokens() != tokens) {
                throw new IllegalStateException(
                        "python " + m.name() + " produced " + m.tokens() + " tokens, Java " + tokens);
            }
        }

        String table = markdown(lines.size(), tokens, inProcess, grpc, peer, loadBefore, loadAverage(), peerVersion);
        System.out.println(table);
        if (args.containsKey("out")) {
            writeJson(Path.of(args.get("out")), tokens, lines.size(), inProcess, grpc, peer);
        }
    }

    private static String markdown(
            int lines,
            long tokens,
            List<Measurement> inProcess,
            List<Measurement> grpc,
            List<Measurement> peer,
            String loadBefore,
            String loadAfter,
            String peerVersion) {
        double python = peer.isEmpty() ? Double.NaN : peer.get(0).tokensPerSecond();
        double java = inProcess.get(0).tokensPerSecond();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "nsmc corpus: %,d lines, %,d KoGPT2 tokens. %s; %d cores (%s); %s. "
                        + "Load average before/after: %s / %s.%n%n",
                lines,
                tokens,
                cpuModel(),
                Runtime.getRuntime().availableProcessors(),
                osName(),
                "Java " + Runtime.version() + (peerVersion.isEmpty() ? "" : ", " + peerVersion),
                loadBefore,
                loadAfter));
        sb.append("| Path | tokens/s (median) | runs | vs Python encode_batch | vs in-process (one batch) |\n");
        sb.append("|---|---:|---:|---:|---:|\n");
        for (Measurement m : peer) {
            row(sb, "Python " + m.name(), m, python, java);
        }
        for (Measurement m : inProcess) {
            row(sb, "Java " + m.name(), m, python, java);
        }
        for (Measurement m : grpc) {
            row(sb, m.name() + " (loopback, sequential calls)", m, python, java);
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String label, Measurement m, double python, double java) {
        sb.append(String.format(
                Locale.ROOT,
                "| %s | %,.0f | %d | %s | %s |%n",
                label,
                m.tokensPerSecond(),
                m.seconds().length,
                Double.isNaN(python) ? "n/a" : String.format(Locale.ROOT, "%.2f×", m.tokensPerSecond() / python),
                String.format(Locale.ROOT, "%.2f×", m.tokensPerSecond() / java)));
    }

    /** The packaged service started as a child ({@code --service-jar}), a running one ({@code --service}), or none. */
    private static ServiceUnderTest startService(Map<String, String> args, Path tokenizerFile) throws IOException {
        if (args.containsKey("service-jar")) {
            Path log = Path.of(args.getOrDefault("service-log", "/tmp/kotune-bench-tokenizer-service.log"));
            ServiceUnderTest s = ServiceUnderTest.start(
                    Path.of(args.get("service-jar")),
                    tokenizerFile,
                    log,
                    List.of(args.getOrDefault("service-jvm", "-Xmx1g").split(" ")));
            System.err.println("started tokenizer-service pid " + s.pid() + " on " + s.target + " (log " + log + ")");
            return s;
        }
        return args.containsKey("service") ? ServiceUnderTest.connect(args.get("service")) : null;
    }

    private static void runPeer(
            String python, String script, Path tokenizer, Path corpus, int warmup, int runs, Path out)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        python,
                        script,
                        "--tokenizer",
                        tokenizer.toString(),
                        "--corpus",
                        corpus.toString(),
                        "--warmup",
                        String.valueOf(warmup),
                        "--runs",
                        String.valueOf(runs),
                        "--out",
                        out.toString())
                .inheritIO()
                .start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(script + " exited with " + p.exitValue());
        }
    }

    private static List<Measurement> readPeer(Path file) throws IOException {
        List<Measurement> out = new ArrayList<>();
        for (JsonNode row : JSON.readTree(file.toFile()).path("rows")) {
            double[] seconds = new double[row.path("seconds").size()];
            for (int i = 0; i < seconds.length; i++) {
                seconds[i] = row.path("seconds").get(i).asDouble();
            }
            out.add(new Measurement(
                    row.path("name").asText(), row.path("tokens").asLong(), seconds));
        }
        return out;
    }

    private static String readPeerVersion(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        return "Python " + root.path("python").asText() + " tokenizers "
                + root.path("tokenizers").asText();
    }

    private static void writeJson(
            Path file,
            long tokens,
            int lines,
            List<Measurement> inProcess,
            List<Measurement> grpc,
            List<Measurement> peer)
            throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("tokens", tokens);
        root.put("lines", lines);
        root.put("cpu", cpuModel());
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("java", Runtime.version().toString());
        ArrayNode rows = root.putArray("rows");
        for (Measurement m : concat(concat(peer, inProcess), grpc)) {
            ObjectNode r = rows.addObject();
            r.put("name", m.name());
            r.put("tokens", m.tokens());
            r.put("median_s", m.medianSeconds());
            r.put("tokens_per_s", m.tokensPerSecond());
            ArrayNode s = r.putArray("seconds");
            Arrays.stream(m.seconds()).forEach(s::add);
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }

    private static List<String> readLines(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    private static long count(int[][] ids) {
        long n = 0;
        for (int[] row : ids) {
            n += row.length;
        }
        return n;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return String.format(
                    Locale.ROOT,
                    "%.2f",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static String osName() {
        return System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + argv[i]);
            }
            String key = argv[i].substring(2);
            if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) {
                out.put(key, "true");
            } else {
                out.put(key, argv[++i]);
            }
        }
        return out;
    }
}
