package dev.kotune.inference.domain;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A model the service can serve: an export in the models directory (a subdirectory with a {@code kotune.json}) or
 * one announced by a training event. Not the engine's {@code ModelInfo} (the shapes of a loaded graph). Immutable.
 *
 * @param id              the directory name, used in requests, e.g. "kogpt2-notebook" or a job id
 * @param directory       where its files are (model.onnx, genai_config.json, tokenizer.json, kotune.json)
 * @param source          source checkpoint (path or hub id), e.g. "skt/kogpt2-base-v2"; empty when unknown
 * @param jobId           training job that produced it; empty when none
 * @param step            training step of the checkpoint, e.g. 60
 * @param tokenizerSha256 sha256 of its tokenizer.json; empty when unknown
 * @param graphFlavor     "optimized" or "plain"; empty when unknown
 * @param contextLength   n_positions, e.g. 1024; 0 when unknown
 * @param vocabSize       vocab_size, e.g. 51200; 0 when unknown
 * @param created         when kotune.json was written (its modification time)
 * @param isDefault       whether requests that name no model get this one
 */
public record ServedModel(
        String id,
        Path directory,
        String source,
        String jobId,
        long step,
        String tokenizerSha256,
        String graphFlavor,
        int contextLength,
        int vocabSize,
        Instant created,
        boolean isDefault) {

    /** This model under another id (an export registered as its training job's id). */
    public ServedModel withId(String value) {
        return new ServedModel(
                value,
                directory,
                source,
                jobId,
                step,
                tokenizerSha256,
                graphFlavor,
                contextLength,
                vocabSize,
                created,
                isDefault);
    }

    /** This model with the job id and step filled in where its kotune.json left them empty (0). */
    public ServedModel withProvenance(String job, long atStep) {
        return new ServedModel(
                id,
                directory,
                source,
                jobId.isEmpty() ? job : jobId,
                step == 0 ? atStep : step,
                tokenizerSha256,
                graphFlavor,
                contextLength,
                vocabSize,
                created,
                isDefault);
    }

    /** Whether {@code other} is the same files: same directory and same kotune.json modification time. */
    public boolean sameVersion(ServedModel other) {
        return other != null && directory.equals(other.directory()) && created.equals(other.created());
    }

    /** This model marked as the default (or not). */
    public ServedModel withDefault(boolean value) {
        return new ServedModel(
                id,
                directory,
                source,
                jobId,
                step,
                tokenizerSha256,
                graphFlavor,
                contextLength,
                vocabSize,
                created,
                value);
    }

    /**
     * Names this version of the model for clients (the {@code X-Kotune-Model-Version} header): the export directory's
     * name and the training step, e.g. "step-60@60"; no server path.
     */
    public String version() {
        return directory.getFileName() + "@" + step;
    }
}
