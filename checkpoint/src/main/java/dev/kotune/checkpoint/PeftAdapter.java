package dev.kotune.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A LoRA adapter in HF PEFT's on-disk format: {@code adapter_config.json} ({@code peft_type LORA}, {@code r},
 * {@code lora_alpha}, {@code lora_dropout}, {@code target_modules}, {@code fan_in_fan_out: true} for GPT-2's Conv1D,
 * {@code base_model_name_or_path}, {@code task_type CAUSAL_LM}, {@code bias none}) and {@code adapter_model.safetensors}
 * with PEFT's keys {@code base_model.model.transformer.h.{i}.attn.c_attn.lora_A.weight} (r, in) and
 * {@code ...lora_B.weight} (out, r). Python's {@code PeftModel.from_pretrained(base, dir)} loads what {@link #write}
 * writes ({@code conformance/peft_oracle.py check}).
 *
 * <p>{@code weights} use kotune's short names ({@code h.0.attn.c_attn.lora_A.weight}). kotune also records its base
 * in the safetensors {@code __metadata__} ({@value #META_BASE}, {@value #META_BASE_SHA256}: the base's
 * {@link Gpt2Weights#contentSha256}); PEFT ignores those. Adapters made by PEFT itself carry no sha256. Immutable.
 *
 * @param config            rank, alpha, dropout, targets
 * @param baseModel         base_model_name_or_path, e.g. "skt/kogpt2-base-v2"; may be null
 * @param baseWeightsSha256 the base's content sha256, or null when unknown (PEFT-made adapters)
 * @param weights           lora_A / lora_B tensors by short name, in HF's module order
 */
public record PeftAdapter(LoraConfig config, String baseModel, String baseWeightsSha256, StateDict weights) {

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    public static final String KEY_PREFIX = "base_model.model.transformer.";
    public static final String META_BASE = "kotune.base_model";
    public static final String META_BASE_SHA256 = "kotune.base_weights_sha256";

    /** PEFT's key for a short name: {@code h.0.attn.c_attn.lora_A.weight} → {@code base_model.model.transformer.h...}. */
    public static String peftKey(String shortName) {
        return KEY_PREFIX + shortName;
    }

    /** Writes both files atomically into {@code dir} (replacing it); returns the absolute directory. */
    public Path write(Path dir) throws IOException {
        return AtomicDirectory.write(dir, this::writeInto);
    }

    /** Writes both files into the existing directory {@code dir} (not atomic: for a directory being assembled). */
    public void writeInto(Path dir) throws IOException {
        Files.write(dir.resolve(CONFIG_FILE), Json.pretty(configJson()));
        StateDict out = new StateDict(null);
        weights.asMap().forEach((n, t) -> out.put(peftKey(n), t));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        if (baseModel != null) {
            meta.put(META_BASE, baseModel);
        }
        if (baseWeightsSha256 != null) {
            meta.put(META_BASE_SHA256, baseWeightsSha256);
        }
        SafeTensors.write(dir.resolve(WEIGHTS_FILE), out, meta);
    }

    /** adapter_config.json as PEFT 0.21 reads it (unlisted fields take PEFT's defaults). */
    public ObjectNode configJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("peft_type", "LORA");
        o.put("task_type", "CAUSAL_LM");
        o.put("base_model_name_or_path", baseModel);
        o.putNull("revision");
        o.put("r", config.r());
        if (config.alpha() == Math.rint(config.alpha())) {
            o.put("lora_alpha", (long) config.alpha());
        } else {
            o.put("lora_alpha", config.alpha());
        }
        o.put("lora_dropout", config.dropout());
        ArrayNode t = o.putArray("target_modules");
        config.targetModules().forEach(t::add);
        o.put("fan_in_fan_out", true);
        o.put("bias", "none");
        o.put("use_rslora", config.useRslora());
        o.put("use_dora", false);
        o.putNull("modules_to_save");
        o.put("init_lora_weights", true);
        o.putNull("layers_to_transform");
        o.putNull("layers_pattern");
        o.putObject("rank_pattern");
        o.putObject("alpha_pattern");
        o.put("inference_mode", true);
        return o;
    }

    /**
     * Reads a PEFT LoRA directory (written by PEFT or by {@link #write}). Refuses, naming the file and field, what
     * kotune does not apply: another peft_type, DoRA, per-module rank/alpha patterns, trained biases, extra saved
     * modules, regex targets, and tensors whose names or shapes do not fit the config.
     */
    public static PeftAdapter read(Path dir) throws CheckpointException {
        Path cfgFile = dir.resolve(CONFIG_FILE);
        JsonNode c = Json.readObject(cfgFile);
        List<String> problems = new ArrayList<>();
        if (!"LORA".equals(c.path("peft_type").asText())) {
            problems.add("peft_type is " + c.get("peft_type") + ", only LORA is supported");
        }
        if (c.path("use_dora").asBoolean(false)) {
            problems.add("use_dora is true: DoRA adapters are not supported");
        }
        for (String f : List.of("rank_pattern", "alpha_pattern")) {
            if (c.hasNonNull(f) && c.get(f).size() > 0) {
                problems.add(f + " is not empty: per-module ranks/alphas are not supported");
            }
        }
        if (c.hasNonNull("bias") && !"none".equals(c.get("bias").asText())) {
            problems.add("bias is " + c.get("bias") + ", only \"none\" is supported");
        }
        if (c.hasNonNull("modules_to_save") && c.get("modules_to_save").size() > 0) {
            problems.add("modules_to_save is set: adapters that also save full modules are not supported");
        }
        if (c.hasNonNull("layers_to_transform")) {
            problems.add("layers_to_transform is set: not supported");
        }
        JsonNode tm = c.path("target_modules");
        List<String> targets = new ArrayList<>();
        if (tm.isTextual()) {
            problems.add("target_modules is a regex (" + tm + "): list the module names instead");
        } else {
            tm.forEach(x -> targets.add(x.asText()));
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(cfgFile, String.join("; ", problems));
        }
        LoraConfig config;
        try {
            config = new LoraConfig(
                    c.path("r").asInt(8),
                    c.path("lora_alpha").asDouble(8),
                    c.path("lora_dropout").asDouble(0),
                    targets,
                    c.path("use_rslora").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(cfgFile, e.getMessage());
        }
        Path wFile = dir.resolve(WEIGHTS_FILE);
        SafeTensors.Contents contents = SafeTensors.read(wFile);
        StateDict weights = new StateDict(wFile);
        for (Map.Entry<String, FloatTensor> e : contents.tensors().asMap().entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(KEY_PREFIX) || !key.matches(".*\\.lora_[AB]\\.weight")) {
                throw new CheckpointException(
                        wFile,
                        "unexpected tensor " + key + " (expected " + KEY_PREFIX
                                + "h.{i}.<module>.lora_A.weight / lora_B.weight)");
            }
            String shortName = key.substring(KEY_PREFIX.length());
            String module = shortName.substring(0, shortName.lastIndexOf(".lora_"));
            if (!config.targets(module)) {
                throw new CheckpointException(
                        wFile,
                        "tensor " + key + " is for module " + module + ", which target_modules "
                                + config.targetModules() + " does not name");
            }
            int[] s = e.getValue().shape();
            boolean isA = shortName.endsWith("lora_A.weight");
            if (s.length != 2 || (isA ? s[0] : s[1]) != config.r()) {
                throw new CheckpointException(
                        wFile,
                        "tensor " + key + " has shape " + Arrays.toString(s) + ", expected "
                                + (isA ? "(" + config.r() + ", in)" : "(out, " + config.r() + ")") + " for r "
                                + config.r());
            }
            weights.put(shortName, e.getValue());
        }
        if (weights.size() == 0) {
            throw new CheckpointException(wFile, "no LoRA tensors");
        }
        for (String n : weights.names()) {
            String other = n.endsWith("lora_A.weight")
                    ? n.replace("lora_A.weight", "lora_B.weight")
                    : n.replace("lora_B.weight", "lora_A.weight");
            if (!weights.contains(other)) {
                throw new CheckpointException(wFile, "tensor " + n + " has no partner " + other);
            }
        }
        String base = contents.metadata().get(META_BASE);
        if (base == null && c.hasNonNull("base_model_name_or_path")) {
            base = c.get("base_model_name_or_path").asText();
        }
        return new PeftAdapter(config, base, contents.metadata().get(META_BASE_SHA256), weights);
    }

    /**
     * Refuses this adapter for a base whose weights hash to another sha256 than the one it was trained on. An
     * adapter without a recorded sha256 (made by PEFT) passes; shapes are still checked when it is applied.
     *
     * @param dir               the adapter (for the message)
     * @param baseName          the offered base's name, for the message
     * @param baseWeightsSha256 the offered base's {@link Gpt2Weights#contentSha256}
     */
    public void requireBase(Path dir, String baseName, String baseWeightsSha256) throws CheckpointMismatchException {
        if (this.baseWeightsSha256 != null && !this.baseWeightsSha256.equalsIgnoreCase(baseWeightsSha256)) {
            throw new CheckpointMismatchException(
                    dir.resolve(WEIGHTS_FILE),
                    "adapter was trained on base " + (baseModel == null ? "(unnamed)" : baseModel)
                            + " with weights sha256 " + this.baseWeightsSha256 + ", but the offered base "
                            + (baseName == null ? "" : baseName + " ") + "has weights sha256 "
                            + baseWeightsSha256,
                    "serve or merge it with the base it was trained on ("
                            + (baseModel == null ? "see " + META_BASE : baseModel)
                            + "), or train a new adapter on this base; LoRA deltas are only meaningful"
                            + " on the exact weights they were trained against");
        }
    }
}
