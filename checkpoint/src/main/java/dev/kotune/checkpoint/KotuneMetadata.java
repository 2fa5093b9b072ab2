package dev.kotune.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code kotune.json}: how an artifact describes itself (model config, tokenizer hash, where it came from, training
 * job and step, metrics). Loading a checkpoint against another tokenizer or model shape fails with a hint via
 * {@link #requireCompatible}. Immutable, thread-safe.
 *
 * @param formatVersion   1
 * @param config          the model config, e.g. KoGPT2-base
 * @param tokenizerSha256 sha256 of the tokenizer.json used, e.g. "e0fa8faf…"; null when unknown
 * @param source          what it was made from, e.g. "skt/kogpt2-base-v2" or a parent checkpoint dir
 * @param jobId           training job id, e.g. "job-42"; null outside a job
 * @param step            optimizer steps done, e.g. 20
 * @param metrics         e.g. {"train_loss": 1.137, "train_samples_per_second": 3.5}
 */
public record KotuneMetadata(
        int formatVersion,
        GPT2Config config,
        String tokenizerSha256,
        String source,
        String jobId,
        long step,
        Map<String, Double> metrics) {

    public static final String FILE = "kotune.json";
    public static final int FORMAT_VERSION = 1;

    public KotuneMetadata {
        metrics = metrics == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    public static KotuneMetadata of(
            GPT2Config config,
            String tokenizerSha256,
            String source,
            String jobId,
            long step,
            Map<String, Double> metrics) {
        return new KotuneMetadata(FORMAT_VERSION, config, tokenizerSha256, source, jobId, step, metrics);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("format_version", formatVersion);
        o.set("config", config.toJson());
        o.put("tokenizer_sha256", tokenizerSha256);
        o.put("source", source);
        o.put("job_id", jobId);
        o.put("step", step);
        ObjectNode m = o.putObject("metrics");
        metrics.forEach(m::put);
        return o;
    }

    public void write(Path file) throws IOException {
        Files.write(file, Json.pretty(toJson()));
    }

    public static KotuneMetadata read(Path file) throws CheckpointException {
        JsonNode n = Json.readObject(file);
        int version = n.path("format_version").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new CheckpointException(
                    file,
                    "kotune.json format_version " + n.get("format_version") + " is not supported (expected "
                            + FORMAT_VERSION + ")");
        }
        if (!n.has("config") || !n.get("config").isObject()) {
            throw new CheckpointException(file, "kotune.json has no \"config\" object");
        }
        GPT2Config config = GPT2Config.fromJson(n.get("config"), file);
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.path("metrics").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            metrics.put(e.getKey(), e.getValue().asDouble());
        }
        return new KotuneMetadata(
                version,
                config,
                text(n, "tokenizer_sha256"),
                text(n, "source"),
                text(n, "job_id"),
                n.path("step").asLong(0),
                metrics);
    }

    /**
     * Fails when this artifact was made for another network shape or tokenizer than the caller's.
     *
     * @param file            the checkpoint (for the message)
     * @param config          the caller's model config
     * @param tokenizerSha256 sha256 of the caller's tokenizer.json, or null to skip that check
     */
    public void requireCompatible(Path file, GPT2Config config, String tokenizerSha256)
            throws CheckpointMismatchException {
        if (!this.config.sameArchitecture(config)) {
            throw new CheckpointMismatchException(
                    file,
                    "checkpoint was made for " + describe(this.config) + " but the caller expects " + describe(config),
                    "load the model config from this checkpoint's config.json instead of passing another one, or "
                            + "pick the checkpoint made for this model");
        }
        if (tokenizerSha256 != null
                && this.tokenizerSha256 != null
                && !this.tokenizerSha256.equalsIgnoreCase(tokenizerSha256)) {
            throw new CheckpointMismatchException(
                    file,
                    "checkpoint was trained with tokenizer sha256 " + this.tokenizerSha256
                            + " but the given tokenizer has sha256 " + tokenizerSha256,
                    "use the tokenizer.json saved in the checkpoint directory (or the one the job trained with); "
                            + "token ids of different tokenizers do not match");
        }
    }

    private static String describe(GPT2Config c) {
        return "vocab_size " + c.vocabSize() + ", n_positions " + c.nPositions() + ", n_embd " + c.nEmbd()
                + ", n_layer " + c.nLayer() + ", n_head " + c.nHead() + ", n_inner " + c.innerSize()
                + ", " + c.activationFunction() + (c.tieWordEmbeddings() ? ", tied lm_head" : ", untied lm_head");
    }

    private static String text(JsonNode n, String k) {
        return n.hasNonNull(k) ? n.get(k).asText() : null;
    }
}
