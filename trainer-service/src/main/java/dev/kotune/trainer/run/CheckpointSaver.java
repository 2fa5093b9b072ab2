package dev.kotune.trainer.run;

import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.checkpoint.KotuneMetadata;
import dev.kotune.gpt2.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes {@code jobs/{id}/checkpoint-{step}/}: the HF layout (config.json, model.safetensors, generation_config.json,
 * the tokenizer files), {@code kotune.json} (config, tokenizer sha256, source, job id, step, metrics) and the full
 * training state ({@link Trainer#saveCheckpoint}: optimizer.safetensors, trainer_state.json, rng_state.json),
 * atomically. Not thread-safe: called on the job's training thread.
 */
final class CheckpointSaver {

    /** Directory name prefix, as HF Trainer names checkpoints. */
    static final String PREFIX = "checkpoint-";

    /** A checkpoint on disk. */
    record Saved(long step, Path dir, String weightsSha256) {}

    private final Path jobDir;
    private final String jobId;
    private final String source;
    private final ResolvedTokenizer tokenizer;
    private Saved last;

    CheckpointSaver(Path jobDir, String jobId, String source, ResolvedTokenizer tokenizer) {
        this.jobDir = jobDir;
        this.jobId = jobId;
        this.source = source;
        this.tokenizer = tokenizer;
    }

    /** The directory of the checkpoint at {@code step}. */
    Path dirFor(long step) {
        return jobDir.resolve(PREFIX + step);
    }

    /** The last checkpoint this saver wrote, or null. */
    Saved last() {
        return last;
    }

    /**
     * @throws JobFailure CHECKPOINT_IO naming the directory
     */
    Saved save(Trainer trainer, long step, Map<String, Double> metrics) throws JobFailure {
        Path dir = dirFor(step);
        try {
            KotuneMetadata md =
                    KotuneMetadata.of(trainer.model().config(), tokenizer.sha256(), source, jobId, step, metrics);
            trainer.saveCheckpoint(dir, md, tokenizer.files());
            last = new Saved(step, dir, Sha256.of(dir.resolve(Checkpoint.SAFETENSORS)));
            return last;
        } catch (IOException | RuntimeException e) {
            if (e instanceof RuntimeException r && OutOfMemory.is(r)) {
                throw new JobFailure(
                        ErrorType.OUT_OF_MEMORY,
                        "out of memory while saving checkpoint " + dir + ": " + e.getMessage(),
                        true,
                        e);
            }
            throw new JobFailure(ErrorType.CHECKPOINT_IO, "cannot write checkpoint " + dir + ": " + e, true, e);
        }
    }
}
