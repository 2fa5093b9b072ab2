package dev.kotune.bench.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.tokenization.KoTokenizer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drift of quantized exports against an fp32 export of the same checkpoint (docs/benchmarks.md, "int8 weight-only
 * flavour"). Prompts: the four notebook prompts ({@code conformance/data/notebook_examples.json}) and {@code --held-out}
 * lines of {@code --held-out-file} (reviews no kotune model was trained on, cut to 24 characters), each in the
 * notebook template {@code 질문: {prompt}\n답변:}. Per candidate, one JSON line:
 * <ul>
 *   <li>{@code greedy_agreement}: each model decodes {@code --new} tokens greedily on its own (argmax, no stop, KV
 *       cache); the fraction of positions whose token is identical, over all prompts; {@code identical_prompts}: how
 *       many of the sequences are identical throughout; {@code first_divergence}: the mean index of the first
 *       different token ({@code --new} when none);</li>
 *   <li>{@code forced_agreement}, {@code max_abs_logit_diff}, {@code mean_abs_logit_diff}: both models read the
 *       reference's prompt + generated tokens in one forward; argmax agreement and |Δ logit| over the {@code --new}
 *       predicted positions (every vocabulary entry);</li>
 *   <li>{@code ppl_reference}, {@code ppl}, {@code ppl_change}: perplexity on the first {@code --ppl-tokens} tokens of
 *       {@code --text} in non-overlapping windows of {@code --window} tokens (each window's first token is context
 *       only).</li>
 * </ul>
 *
 * <pre>java -cp ... dev.kotune.bench.generation.Int8Drift --reference DIR --candidates DIR[,DIR...] --notebook FILE
 *     [--held-out-file FILE] [--held-out 12] [--text FILE] [--ppl-tokens 4096] [--window 256] [--new 64] [--threads 2]
 *     [--forced-only]</pre>
 * ({@code --forced-only}: no free-running decode of the candidates, only the teacher-forced numbers and perplexity.)
 */
public final class Int8Drift {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Int8Drift() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        Path reference = Path.of(a.get("reference"));
        int newTokens = Integer.parseInt(a.getOrDefault("new", "64"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        List<String> prompts = prompts(a);
        List<int[]> promptIds = new ArrayList<>();
        int[] text;
        try (KoTokenizer tok = KoTokenizer.load(reference.resolve("tokenizer.json"))) {
            for (String p : prompts) {
                promptIds.add(tok.encodeIds("질문: " + p + "\n답변:", false));
            }
            text = a.containsKey("text")
                    ? tok.encodeIds(Files.readString(Path.of(a.get("text")), StandardCharsets.UTF_8), false)
                    : new int[0];
        }
        int pplTokens = Math.min(text.length, Integer.parseInt(a.getOrDefault("ppl-tokens", "4096")));
        int window = Integer.parseInt(a.getOrDefault("window", "256"));
        boolean forcedOnly = a.containsKey("forced-only");
        try (Model ref = new Model(reference, threads)) {
            List<int[]> refGen = new ArrayList<>();
            for (int[] p : promptIds) {
                refGen.add(ref.greedy(p, newTokens));
            }
            double refPpl = pplTokens > 1 ? ref.perplexity(text, pplTokens, window) : Double.NaN;
            for (String c : a.get("candidates").split(",")) {
                try (Model cand = new Model(Path.of(c), threads)) {
                    long same = 0;
                    long forcedSame = 0;
                    long total = 0;
                    int identical = 0;
                    double firstDiv = 0;
                    double maxAbs = 0;
                    double sumAbs = 0;
                    long nAbs = 0;
                    for (int i = 0; i < promptIds.size(); i++) {
                        int[] p = promptIds.get(i);
                        int[] r = refGen.get(i);
                        // --forced-only: no free-running decode (accuracy_level 0 runs ~35x slower than fp32 on x86)
                        int[] g = forcedOnly ? r : cand.greedy(p, newTokens);
                        int first = newTokens;
                        for (int j = 0; j < newTokens; j++) {
                            if (r[j] == g[j]) {
                                same++;
                            } else if (first == newTokens) {
                                first = j;
                            }
                        }
                        identical += first == newTokens ? 1 : 0;
                        firstDiv += first;
                        total += newTokens;
                        int[] seq = concat(p, Arrays.copyOf(r, newTokens - 1));
                        float[] lr = ref.logits(seq);
                        float[] lc = cand.logits(seq);
                        int v = ref.vocab;
                        for (int pos = p.length - 1; pos < seq.length; pos++) {
                            int off = pos * v;
                            int ar = argmax(lr, off, v);
                            int ac = argmax(lc, off, v);
                            forcedSame += ar == ac ? 1 : 0;
                            for (int k = 0; k < v; k++) {
                                double d = Math.abs(lr[off + k] - lc[off + k]);
                                maxAbs = Math.max(maxAbs, d);
                                sumAbs += d;
                            }
                            nAbs += v;
                        }
                    }
                    ObjectNode o = JSON.createObjectNode();
                    o.put("reference", reference.toString());
                    o.put("candidate", c);
                    o.set("quantization", cand.quantization());
                    o.put("prompts", promptIds.size());
                    o.put("new_tokens", newTokens);
                    if (!forcedOnly) {
                        o.put("greedy_agreement", (double) same / total);
                        o.put("identical_prompts", identical);
                        o.put("first_divergence", firstDiv / promptIds.size());
                    }
                    o.put("forced_agreement", (double) forcedSame / total);
                    o.put("max_abs_logit_diff", maxAbs);
                    o.put("mean_abs_logit_diff", sumAbs / nAbs);
                    if (pplTokens > 1) {
                        double ppl = cand.perplexity(text, pplTokens, window);
                        o.put("ppl_tokens", pplTokens);
                        o.put("ppl_window", window);
                        o.put("ppl_reference", refPpl);
                        o.put("ppl", ppl);
                        o.put("ppl_change", ppl / refPpl - 1);
                    }
                    System.out.println(JSON.writeValueAsString(o));
                }
            }
        }
    }

    private static List<String> prompts(Map<String, String> a) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode n : JSON.readTree(Path.of(a.get("notebook")).toFile())) {
            out.add(n.get("prompt").asText());
        }
        if (a.containsKey("held-out-file")) {
            int n = Integer.parseInt(a.getOrDefault("held-out", "12"));
            List<String> lines = Files.readAllLines(Path.of(a.get("held-out-file")), StandardCharsets.UTF_8);
            int stride = Math.max(1, lines.size() / n);
            for (int i = 0; i < lines.size() && out.size() < 4 + n; i += stride) {
                String s = lines.get(i).strip();
                if (!s.isEmpty()) {
                    out.add(s.length() > 24 ? s.substring(0, 24) : s);
                }
            }
        }
        return out;
    }

    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int k = 1; k < n; k++) {
            if (x[off + k] > x[off + best]) {
                best = k;
            }
        }
        return best;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** One export on a bare ORT session (batch 1, no padding), for reading logits directly. */
    private static final class Model implements AutoCloseable {
        final OrtEnvironment env = OrtEnvironment.getEnvironment();
        final OrtSession session;
        final JsonNode meta;
        final int layers;
        final int heads;
        final int headSize;
        final int vocab;
        final boolean keepInput;

        Model(Path dir, int threads) throws Exception {
            OrtSession.SessionOptions so = new OrtSession.SessionOptions();
            so.setIntraOpNumThreads(threads);
            session = env.createSession(dir.resolve("model.onnx").toString(), so);
            meta = JSON.readTree(dir.resolve("kotune.json").toFile());
            JsonNode cfg = JSON.readTree(dir.resolve("config.json").toFile());
            layers = cfg.get("n_layer").asInt();
            heads = cfg.get("n_head").asInt();
            headSize = cfg.get("n_embd").asInt() / heads;
            vocab = cfg.get("vocab_size").asInt();
            keepInput = session.getInputNames().contains("logits_to_keep");
        }

        JsonNode quantization() {
            JsonNode q = meta.path("onnx").path("quantization");
            return q.isMissingNode() ? JSON.createObjectNode() : q;
        }

        /** Logits (T, V) of every position of {@code ids}, no past. */
        float[] logits(int[] ids) throws OrtException {
            try (Step s = run(ids, 0, null, 0)) {
                return s.logits;
            }
        }

        /** {@code n} greedy tokens after {@code prompt}, KV cache, no stop. */
        int[] greedy(int[] prompt, int n) throws OrtException {
            int[] out = new int[n];
            Step s = run(prompt, 0, null, 1);
            try {
                for (int i = 0; i < n; i++) {
                    out[i] = argmax(s.logits, s.logits.length - vocab, vocab);
                    if (i + 1 < n) {
                        Step next = run(new int[] {out[i]}, s.total, s, 1);
                        s.close();
                        s = next;
                    }
                }
            } finally {
                s.close();
            }
            return out;
        }

        /** exp(mean NLL) over non-overlapping windows of the first {@code tokens} ids. */
        double perplexity(int[] text, int tokens, int window) throws OrtException {
            double nll = 0;
            long n = 0;
            for (int start = 0; start + 1 < tokens; start += window) {
                int[] w = Arrays.copyOfRange(text, start, Math.min(tokens, start + window));
                if (w.length < 2) {
                    break;
                }
                float[] l = logits(w);
                for (int pos = 0; pos + 1 < w.length; pos++) {
                    int off = pos * vocab;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < vocab; k++) {
                        max = Math.max(max, l[off + k]);
                    }
                    double sum = 0;
                    for (int k = 0; k < vocab; k++) {
                        sum += Math.exp(l[off + k] - max);
                    }
                    nll += max + Math.log(sum) - l[off + w[pos + 1]];
                    n++;
                }
            }
            return Math.exp(nll / n);
        }

        private final class Step implements AutoCloseable {
            float[] logits;
            int total;
            OrtSession.Result result;

            @Override
            public void close() {
                if (result != null) {
                    result.close();
                }
            }
        }

        /** One forward of {@code ids} after {@code pastLen} cached positions ({@code past}'s presents). */
        private Step run(int[] ids, int pastLen, Step past, int keep) throws OrtException {
            int t = ids.length;
            long[] id = new long[t];
            long[] pos = new long[t];
            long[] mask = new long[pastLen + t];
            Arrays.fill(mask, 1);
            for (int i = 0; i < t; i++) {
                id[i] = ids[i];
                pos[i] = pastLen + i;
            }
            Map<String, OnnxTensor> own = new HashMap<>();
            Map<String, OnnxTensor> in = new HashMap<>();
            try {
                own.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(id), new long[] {1, t}));
                own.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {1, t}));
                own.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, pastLen + t
                }));
                if (keepInput) {
                    own.put(
                            "logits_to_keep",
                            OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {keep}), new long[] {1}));
                }
                for (int i = 0; i < layers; i++) {
                    for (String kv : new String[] {"key", "value"}) {
                        String name = "past_key_values." + i + "." + kv;
                        if (past == null) {
                            own.put(name, OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {
                                1, heads, 0, headSize
                            }));
                        } else {
                            in.put(name, (OnnxTensor)
                                    past.result.get("present." + i + "." + kv).orElseThrow());
                        }
                    }
                }
                in.putAll(own);
                Step s = new Step();
                s.result = session.run(in);
                s.total = pastLen + t;
                OnnxValue lv = s.result.get("logits").orElseThrow();
                FloatBuffer fb = ((OnnxTensor) lv).getFloatBuffer();
                s.logits = new float[fb.remaining()];
                fb.get(s.logits);
                return s;
            } finally {
                own.values().forEach(OnnxTensor::close);
            }
        }

        @Override
        public void close() throws OrtException {
            session.close();
        }
    }
}
