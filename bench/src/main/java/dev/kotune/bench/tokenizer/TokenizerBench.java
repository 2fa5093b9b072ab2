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
 * tokenizer-service (batches of 1, 32, 256), and, from {@code bench/python/tokenizer_peer.py}'s JSON, Python
 * {@code tokenizers}' {@code encode_batch}. Prints a markdown table with ratios. Not a test: run
 * {@code bench/tokenizer.sh}.
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
    int grpcRuns = Integer.parseInt(args.getOrDefault("grpc-runs", "3"));
    List<String> lines = readLines(corpusFile);
    String loadBefore = loadAverage();
    System.err.printf("corpus %s: %d lines; load average %s%n", corpusFile, lines.size(), loadBefore);

    List<Measurement> inProcess = new ArrayList<>();
    try (KoTokenizer tok = KoTokenizer.load(tokenizerFile)) {
      inProcess.add(Measurement.measure("in-process encodeIds(all lines), one native batch", warmup, runs,
          () -> count(tok.encodeIds(lines, false))));
      inProcess.add(Measurement.measure("in-process encodeIds(batches of 256)", warmup, runs, () -> {
        long n = 0;
        for (int i = 0; i < lines.size(); i += 256) {
          n += count(tok.encodeIds(lines.subList(i, Math.min(lines.size(), i + 256)), false));
        }
        return n;
      }));
      inProcess.add(Measurement.measure("in-process encodeIds(line), one call per line", warmup, runs, () -> {
        long n = 0;
        for (String line : lines) {
          n += tok.encodeIds(line).length;
        }
        return n;
      }));
    }
    try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(tokenizerFile,
        Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
      inProcess.add(Measurement.measure("in-process DJL batchEncode(all lines), public API", warmup, runs, () -> {
        long n = 0;
        for (Encoding e : djl.batchEncode(lines)) {
          n += e.getIds().length;
        }
        return n;
      }));
    }

    List<Measurement> grpc = new ArrayList<>();
    ServiceUnderTest service = null;
    if (args.containsKey("service-jar")) {
      Path log = Path.of(args.getOrDefault("service-log", "/tmp/kotune-bench-tokenizer-service.log"));
      service = ServiceUnderTest.start(Path.of(args.get("service-jar")), tokenizerFile, log,
          List.of(args.getOrDefault("service-jvm", "-Xmx1g").split(" ")));
      System.err.println("started tokenizer-service pid " + service.pid() + " on " + service.target + " (log " + log + ")");
    } else if (args.containsKey("service")) {
      service = ServiceUnderTest.connect(args.get("service"));
    }
    if (service != null) {
      try (ServiceUnderTest s = service) {
        var stub = TokenizerServiceGrpc.newBlockingStub(s.channel);
        grpc.add(Measurement.measure("gRPC Encode, batch 1", 1, grpcRuns, () -> {
          long n = 0;
          for (String line : lines) {
            n += stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .encode(EncodeRequest.newBuilder().setText(line).build()).getEncoding().getIdsCount();
          }
          return n;
        }));
        for (int batch : new int[] {32, 256}) {
          grpc.add(Measurement.measure("gRPC BatchEncode, batch " + batch, warmup, grpcRuns, () -> {
            long n = 0;
            for (int i = 0; i < lines.size(); i += batch) {
              BatchEncodeResponse r = stub.withDeadlineAfter(60, TimeUnit.SECONDS).batchEncode(BatchEncodeRequest
                  .newBuilder().addAllTexts(lines.subList(i, Math.min(lines.size(), i + batch))).build());
              for (var e : r.getEncodingsList()) {
                n += e.getIdsCount();
              }
            }
            return n;
          }));
        }
      }
    }

    long tokens = inProcess.get(0).tokens();
    for (Measurement m : concat(inProcess, grpc)) {
      if (m.tokens() != tokens) {
        throw new IllegalStateException(m.name() + " produced " + m.tokens() + " tokens, in-process " + tokens);
      }
    }
    List<Measurement> peer = args.containsKey("peer") ? readPeer(Path.of(args.get("peer"))) : List.of();
    for (Measurement m : peer) {
      if (m.tokens() != tokens) {
        throw new IllegalStateException("python " + m.name() + " produced " + m.tokens() + " tokens, Java " + tokens);
      }
    }

    String table = markdown(lines.size(), tokens, inProcess, grpc, peer, loadBefore, loadAverage(),
        args.containsKey("peer") ? readPeerVersion(Path.of(args.get("peer"))) : "");
    System.out.println(table);
    if (args.containsKey("out")) {
      writeJson(Path.of(args.get("out")), tokens, lines.size(), inProcess, grpc, peer);
    }
  }

  private static String markdown(int lines, long tokens, List<Measurement> inProcess, List<Measurement> grpc,
      List<Measurement> peer, String loadBefore, String loadAfter, String peerVersion) {
    double python = peer.isEmpty() ? Double.NaN : peer.get(0).tokensPerSecond();
    double java = inProcess.get(0).tokensPerSecond();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "nsmc corpus: %,d lines, %,d KoGPT2 tokens. %s; %d cores (%s); %s. "
            + "Load average before/after: %s / %s.%n%n",
        lines, tokens, cpuModel(), Runtime.getRuntime().availableProcessors(), osName(),
        "Java " + Runtime.version() + (peerVersion.isEmpty() ? "" : ", " + peerVersion), loadBefore, loadAfter));
    sb.append("| Path | tokens/s (median) | vs Python encode_batch | vs in-process (one batch) |\n");
    sb.append("|---|---:|---:|---:|\n");
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
    sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %s |%n", label, m.tokensPerSecond(),
        Double.isNaN(python) ? "n/a" : String.format(Locale.ROOT, "%.2f×", m.tokensPerSecond() / python),
        String.format(Locale.ROOT, "%.2f×", m.tokensPerSecond() / java)));
  }

  private static List<Measurement> readPeer(Path file) throws IOException {
    List<Measurement> out = new ArrayList<>();
    for (JsonNode row : JSON.readTree(file.toFile()).path("rows")) {
      double[] seconds = new double[row.path("seconds").size()];
      for (int i = 0; i < seconds.length; i++) {
        seconds[i] = row.path("seconds").get(i).asDouble();
      }
      out.add(new Measurement(row.path("name").asText(), row.path("tokens").asLong(), seconds));
    }
    return out;
  }

  private static String readPeerVersion(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    return "Python " + root.path("python").asText() + " tokenizers " + root.path("tokenizers").asText();
  }

  private static void writeJson(Path file, long tokens, int lines, List<Measurement> inProcess,
      List<Measurement> grpc, List<Measurement> peer) throws IOException {
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
      return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
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
