package dev.kotune.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * GPT-2's weight names and shapes, and the normalisation of a raw checkpoint state dict to them: strip
 * {@code transformer.}, drop the {@code h.N.attn.bias} / {@code h.N.attn.masked_bias} mask buffers, drop a tied
 * {@code lm_head.weight} (keep it when {@code tie_word_embeddings} is false), check every expected key is there with
 * the expected shape. Stateless and thread-safe.
 */
public final class Gpt2Weights {

    public static final String PREFIX = "transformer.";
    public static final String LM_HEAD = "lm_head.weight";
    private static final Pattern MASK_BUFFER = Pattern.compile("h\\.\\d+\\.attn\\.(bias|masked_bias)");

    private Gpt2Weights() {}

    /** A normalised state dict and the raw keys that were not used (unknown heads, mask buffers, a tied lm_head). */
    public record Normalized(StateDict weights, List<String> ignoredKeys) {}

    /**
     * Canonical names → shapes, in HF's {@code named_parameters()} order: {@code wte.weight (V, C)},
     * {@code wpe.weight (P, C)}, per block {@code ln_1, attn.c_attn (C, 3C), attn.c_proj (C, C), ln_2,
     * mlp.c_fc (C, I), mlp.c_proj (I, C)}, {@code ln_f}, and {@code lm_head.weight (V, C)} only when untied.
     */
    public static Map<String, int[]> expectedShapes(GPT2Config c) {
        int v = c.vocabSize();
        int p = c.nPositions();
        int e = c.nEmbd();
        int in = c.innerSize();
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("wte.weight", new int[] {v, e});
        m.put("wpe.weight", new int[] {p, e});
        for (int i = 0; i < c.nLayer(); i++) {
            String h = "h." + i + ".";
            m.put(h + "ln_1.weight", new int[] {e});
            m.put(h + "ln_1.bias", new int[] {e});
            m.put(h + "attn.c_attn.weight", new int[] {e, 3 * e});
            m.put(h + "attn.c_attn.bias", new int[] {3 * e});
            m.put(h + "attn.c_proj.weight", new int[] {e, e});
            m.put(h + "attn.c_proj.bias", new int[] {e});
            m.put(h + "ln_2.weight", new int[] {e});
            m.put(h + "ln_2.bias", new int[] {e});
            m.put(h + "mlp.c_fc.weight", new int[] {e, in});
            m.put(h + "mlp.c_fc.bias", new int[] {in});
            m.put(h + "mlp.c_proj.weight", new int[] {in, e});
            m.put(h + "mlp.c_proj.bias", new int[] {e});
        }
        m.put("ln_f.weight", new int[] {e});
        m.put("ln_f.bias", new int[] {e});
        if (!c.tieWordEmbeddings()) {
            m.put(LM_HEAD, new int[] {v, e});
        }
        return m;
    }

    /**
     * kotune's content hash of a GPT-2's weights, independent of the file format and key prefix (the same weights
     * read from {@code model.safetensors}, a legacy {@code pytorch_model.bin} or a training run hash alike): sha256
     * over, for every tensor of {@link #expectedShapes} in that order, the UTF-8 line {@code "name:d0,d1\n"} and then
     * its float32 little-endian data. Adapters record it to name the base they were trained on. The Python twin is
     * {@code conformance/peft_oracle.py base-sha256}.
     */
    public static String contentSha256(StateDict canonical, GPT2Config config) {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, int[]> e : expectedShapes(config).entrySet()) {
            FloatTensor t = canonical.get(e.getKey());
            if (t == null || !Arrays.equals(t.shape(), e.getValue())) {
                throw new IllegalArgumentException("weights lack " + e.getKey() + " " + Arrays.toString(e.getValue()));
            }
            StringBuilder line = new StringBuilder(e.getKey()).append(':');
            for (int i = 0; i < t.shape().length; i++) {
                line.append(i == 0 ? "" : ",").append(t.shape()[i]);
            }
            md.update(line.append('\n').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.nio.FloatBuffer src = t.data().duplicate();
            src.clear();
            while (src.hasRemaining()) {
                buf.clear();
                while (buf.remaining() >= 4 && src.hasRemaining()) {
                    buf.putFloat(src.get());
                }
                buf.flip();
                md.update(buf);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /** True for weights HF's Trainer decays: everything but biases and LayerNorm parameters. */
    public static boolean decays(String canonicalName) {
        return !(canonicalName.endsWith(".bias")
                || canonicalName.startsWith("ln_f.")
                || canonicalName.contains(".ln_1.")
                || canonicalName.contains(".ln_2."));
    }

    /** Normalises {@code raw} (read from {@code raw.source()}) to the canonical names of {@code config}. */
    public static Normalized normalize(StateDict raw, GPT2Config config) throws CheckpointException {
        Path file = raw.source();
        Map<String, int[]> expected = expectedShapes(config);
        StateDict out = new StateDict(file);
        Map<String, FloatTensor> found = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, FloatTensor> e : raw.asMap().entrySet()) {
            String key = e.getKey();
            String name = key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key;
            if (MASK_BUFFER.matcher(name).matches()
                    || (name.equals(LM_HEAD) && config.tieWordEmbeddings())
                    || !expected.containsKey(name)) {
                ignored.add(key);
                continue;
            }
            if (found.containsKey(name)) {
                throw new CheckpointException(
                        file, "tensor '" + name + "' appears twice (with and without '" + PREFIX + "')");
            }
            found.put(name, e.getValue());
        }
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            FloatTensor t = found.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
                continue;
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new CheckpointException(
                        file,
                        "tensor '" + e.getKey() + "' has shape " + t.shapeString()
                                + " but the config (n_embd " + config.nEmbd() + ", n_head " + config.nHead()
                                + ", vocab_size "
                                + config.vocabSize() + ", n_positions " + config.nPositions() + ") expects "
                                + FloatTensor.shapeString(e.getValue()));
            }
            out.put(e.getKey(), t);
        }
        if (!missing.isEmpty()) {
            throw new CheckpointException(
                    file,
                    missing.size() + " missing tensor(s): "
                            + String.join(", ", missing.subList(0, Math.min(8, missing.size())))
                            + (missing.size() > 8 ? ", ..." : "")
                            + (config.tieWordEmbeddings()
                                    ? ""
                                    : " (tie_word_embeddings is false, so lm_head.weight is required)"));
        }
        return new Normalized(out, ignored);
    }
}
