package dev.kotune.export;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to export and how. Immutable, thread-safe.
 *
 * @param checkpoint             HF checkpoint directory (config.json + model.safetensors or pytorch_model.bin), e.g.
 *                               {@code conformance/models/tiny-kogpt2}
 * @param out                    export directory to create or replace atomically, e.g. {@code /tmp/kogpt2-onnx}
 * @param flavour                graph flavour, e.g. {@link GraphFlavour#DEFAULT}
 * @param tokenizer              a tokenizer.json (or a directory with the tokenizer files) to ship with the model;
 *                               null: the tokenizer files inside the checkpoint directory, if any
 * @param jobId                  training job id for the metadata, e.g. "job-42"; null: the checkpoint's kotune.json
 * @param step                   optimizer step for the metadata, e.g. 20; null: the checkpoint's kotune.json (else 0)
 * @param externalThresholdBytes initializer bytes above which weights go to {@code model.onnx.data}
 */
public record ExportOptions(Path checkpoint, Path out, GraphFlavour flavour, Path tokenizer, String jobId, Long step,
                            long externalThresholdBytes) {

    public ExportOptions {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(flavour, "flavour");
        if (externalThresholdBytes < 0) {
            throw new IllegalArgumentException("externalThresholdBytes must be >= 0, got " + externalThresholdBytes);
        }
    }

    /** Defaults: {@link GraphFlavour#DEFAULT}, tokenizer and job/step from the checkpoint, inline weights below ~1.9 GB. */
    public static ExportOptions of(Path checkpoint, Path out) {
        return new ExportOptions(checkpoint, out, GraphFlavour.DEFAULT, null, null, null,
                OnnxModelWriter.DEFAULT_EXTERNAL_THRESHOLD);
    }

    public ExportOptions withFlavour(GraphFlavour f) {
        return new ExportOptions(checkpoint, out, f, tokenizer, jobId, step, externalThresholdBytes);
    }

    public ExportOptions withTokenizer(Path t) {
        return new ExportOptions(checkpoint, out, flavour, t, jobId, step, externalThresholdBytes);
    }

    public ExportOptions withJob(String job, Long s) {
        return new ExportOptions(checkpoint, out, flavour, tokenizer, job, s, externalThresholdBytes);
    }

    public ExportOptions withExternalThreshold(long bytes) {
        return new ExportOptions(checkpoint, out, flavour, tokenizer, jobId, step, bytes);
    }
}
