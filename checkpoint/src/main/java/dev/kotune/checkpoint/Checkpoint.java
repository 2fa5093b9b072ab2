package dev.kotune.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A loaded GPT-2 checkpoint: its config, its weights under canonical names ({@code wte.weight},
 * {@code h.0.attn.c_attn.weight}, ...), the weights file, raw keys that were ignored and the optional
 * {@code kotune.json}. Read it with {@link #read(Path)}. Immutable once loaded; safe to share for reading.
 *
 * @param dir         the checkpoint directory
 * @param config      from config.json
 * @param weights     canonical names (no {@code transformer.} prefix, no mask buffers, no tied lm_head)
 * @param weightsFile model.safetensors or pytorch_model.bin
 * @param ignoredKeys raw keys not used, e.g. {@code h.0.attn.bias}
 * @param metadata    kotune.json, or null when the checkpoint did not come from kotune
 */
public record Checkpoint(
        Path dir,
        GPT2Config config,
        StateDict weights,
        Path weightsFile,
        List<String> ignoredKeys,
        KotuneMetadata metadata) {

    public static final String CONFIG = "config.json";
    public static final String SAFETENSORS = "model.safetensors";
    public static final String TORCH_BIN = "pytorch_model.bin";
    public static final String GENERATION_CONFIG = "generation_config.json";

    public Checkpoint {
        ignoredKeys = List.copyOf(ignoredKeys);
    }

    /**
     * Reads a Hugging Face checkpoint directory: {@code config.json} plus {@code model.safetensors} (preferred) or
     * {@code pytorch_model.bin}, and {@code kotune.json} when present.
     */
    public static Checkpoint read(Path dir) throws CheckpointException {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir, Files.exists(dir) ? "is not a directory" : "directory not found");
        }
        GPT2Config config = GPT2Config.read(dir.resolve(CONFIG));
        Path weights = dir.resolve(SAFETENSORS);
        if (!Files.isRegularFile(weights)) {
            weights = dir.resolve(TORCH_BIN);
        }
        if (!Files.isRegularFile(weights)) {
            if (Files.exists(dir.resolve(SAFETENSORS + ".index.json"))
                    || Files.exists(dir.resolve(TORCH_BIN + ".index.json"))) {
                throw new CheckpointException(dir, "sharded checkpoints (*.index.json) are not supported");
            }
            throw new CheckpointException(dir, "neither " + SAFETENSORS + " nor " + TORCH_BIN + " found");
        }
        Gpt2Weights.Normalized n = Gpt2Weights.normalize(readRaw(weights), config);
        Path meta = dir.resolve(KotuneMetadata.FILE);
        KotuneMetadata md = Files.isRegularFile(meta) ? KotuneMetadata.read(meta) : null;
        return new Checkpoint(dir, config, n.weights(), weights, n.ignoredKeys(), md);
    }

    /** Reads one weights file with {@code config} (any file name; the format is told by its first bytes). */
    public static Checkpoint readWeights(Path weightsFile, GPT2Config config) throws CheckpointException {
        Gpt2Weights.Normalized n = Gpt2Weights.normalize(readRaw(weightsFile), config);
        return new Checkpoint(weightsFile.getParent(), config, n.weights(), weightsFile, n.ignoredKeys(), null);
    }

    /** The raw tensors of a safetensors or torch zip file, names as stored. */
    public static StateDict readRaw(Path weightsFile) throws CheckpointException {
        byte[] magic = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(weightsFile)) {
            n = in.readNBytes(magic, 0, 4);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CheckpointException(weightsFile, "file not found");
        } catch (IOException e) {
            throw new CheckpointException(weightsFile, "cannot read", e);
        }
        if (n == 4 && magic[0] == 'P' && magic[1] == 'K') {
            return TorchBin.read(weightsFile);
        }
        if (n >= 2 && (magic[0] & 0xff) == 0x80) {
            throw new CheckpointException(
                    weightsFile,
                    "torch's pre-1.6 legacy (non-zip) format is not supported; "
                            + "re-save it with torch.save(state_dict, path) from a recent torch");
        }
        return SafeTensors.read(weightsFile).tensors();
    }

    /** Weights with HF's {@code transformer.} prefix (lm_head stays unprefixed), as {@code save_pretrained} writes. */
    public StateDict prefixedWeights() {
        return CheckpointWriter.prefixed(weights);
    }
}
