package dev.kotune.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a checkpoint directory in the Hugging Face layout that {@code GPT2LMHeadModel.from_pretrained} loads:
 * {@code config.json}, {@code model.safetensors} (F32, {@code transformer.}-prefixed keys, tied lm_head omitted,
 * metadata {@code {"format": "pt"}}), {@code generation_config.json}, copied tokenizer files, {@code kotune.json}, and
 * any extra files (e.g. the trainer's optimizer state). Atomic: everything is written to a hidden sibling directory
 * that is then renamed over the target, so readers never see a half-written checkpoint. A builder; not thread-safe.
 */
public final class CheckpointWriter {

    private final Path dir;
    private GPT2Config config;
    private StateDict weights;
    private Map<String, Object> generationConfig;
    private final List<Path> tokenizerFiles = new ArrayList<>();
    private KotuneMetadata metadata;
    private final Map<String, FileContent> extras = new LinkedHashMap<>();

    /** Writes one extra file into the (temporary) checkpoint directory. */
    @FunctionalInterface
    public interface FileContent {
        void writeTo(Path file) throws IOException;
    }

    private CheckpointWriter(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public static CheckpointWriter to(Path dir) {
        return new CheckpointWriter(dir);
    }

    public CheckpointWriter config(GPT2Config c) {
        this.config = c;
        return this;
    }

    /** Canonical-name weights (as {@link Checkpoint#weights()} holds them). */
    public CheckpointWriter weights(StateDict w) {
        this.weights = w;
        return this;
    }

    /** Extra generation defaults (e.g. do_sample, top_p); the token ids come from the config. */
    public CheckpointWriter generationConfig(Map<String, Object> g) {
        this.generationConfig = g;
        return this;
    }

    /** Files copied by name, e.g. tokenizer.json, tokenizer_config.json, special_tokens_map.json. */
    public CheckpointWriter tokenizerFiles(List<Path> files) {
        tokenizerFiles.addAll(files);
        return this;
    }

    public CheckpointWriter metadata(KotuneMetadata m) {
        this.metadata = m;
        return this;
    }

    public CheckpointWriter extraFile(String name, FileContent content) {
        extras.put(name, content);
        return this;
    }

    /** Writes everything and renames it into place; returns the directory. */
    public Path write() throws IOException {
        if (config == null || weights == null) {
            throw new IllegalStateException("config and weights are required");
        }
        StateDict checked = Gpt2Weights.normalize(weights, config).weights(); // shape check before writing
        AtomicDirectory.write(dir, tmp -> {
            config.write(tmp.resolve(Checkpoint.CONFIG));
            SafeTensors.write(tmp.resolve(Checkpoint.SAFETENSORS), prefixed(checked), Map.of("format", "pt"));
            Map<String, Object> gen = new LinkedHashMap<>();
            gen.put("bos_token_id", config.bosTokenId());
            gen.put("eos_token_id", config.eosTokenId());
            gen.put("pad_token_id", config.padTokenId());
            if (generationConfig != null) {
                gen.putAll(generationConfig);
            }
            Files.write(tmp.resolve(Checkpoint.GENERATION_CONFIG), Json.pretty(gen));
            for (Path f : tokenizerFiles) {
                Files.copy(f, tmp.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
            if (metadata != null) {
                metadata.write(tmp.resolve(KotuneMetadata.FILE));
            }
            for (Map.Entry<String, FileContent> e : extras.entrySet()) {
                e.getValue().writeTo(tmp.resolve(e.getKey()));
            }
        });
        return dir;
    }

    /** {@code transformer.}-prefixed keys for every weight but lm_head. */
    static StateDict prefixed(StateDict canonical) {
        StateDict out = new StateDict(canonical.source());
        canonical.asMap().forEach((k, v) -> out.put(k.equals(Gpt2Weights.LM_HEAD) ? k : Gpt2Weights.PREFIX + k, v));
        return out;
    }
}
