package dev.kotune.export;

import java.nio.file.Path;
import java.util.Map;
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
 * @param chatTemplate           Jinja chat template to write into the export's {@code tokenizer_config.json} as
 *                               {@code chat_template} (the other fields kept; a minimal file when the tokenizer has
 *                               none), e.g. kotune-tokenization's {@code ChatTemplate.forPromptTemplate(...)};
 *                               null: the tokenizer files' own template, if any, is kept as it is
 * @param specialTokens          with a chat template: special tokens the template may use, e.g.
 *                               {@code {"eos_token": "</s>"}}, written into {@code tokenizer_config.json} where it
 *                               has no such key; never null (empty: none)
 * @param logitsToKeep           give the graph HF's {@code logits_to_keep} input (int64 (1,): 0 = logits of every
 *                               position, k = of the last k), so a prefill computes the LM head for its last position
 *                               only; default true. False: exactly Optimum's inputs (ONNX Runtime GenAI feeds only
 *                               the inputs it knows)
 * @param quantization           how {@link GraphFlavour#INT8} quantizes its weights (ignored by the fp32 flavours);
 *                               default {@link WeightQuantization#DEFAULT}
 */
public record ExportOptions(
        Path checkpoint,
        Path out,
        GraphFlavour flavour,
        Path tokenizer,
        String jobId,
        Long step,
        long externalThresholdBytes,
        String chatTemplate,
        Map<String, String> specialTokens,
        boolean logitsToKeep,
        WeightQuantization quantization) {

    public ExportOptions {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(flavour, "flavour");
        Objects.requireNonNull(quantization, "quantization");
        if (externalThresholdBytes < 0) {
            throw new IllegalArgumentException("externalThresholdBytes must be >= 0, got " + externalThresholdBytes);
        }
        specialTokens = Map.copyOf(Objects.requireNonNull(specialTokens, "specialTokens"));
    }

    /**
     * Defaults: {@link GraphFlavour#DEFAULT}, tokenizer and job/step from the checkpoint, inline weights below ~1.9 GB,
     * the tokenizer's own chat template.
     */
    public static ExportOptions of(Path checkpoint, Path out) {
        return new ExportOptions(
                checkpoint,
                out,
                GraphFlavour.DEFAULT,
                null,
                null,
                null,
                OnnxModelWriter.DEFAULT_EXTERNAL_THRESHOLD,
                null,
                Map.of(),
                true,
                WeightQuantization.DEFAULT);
    }

    public ExportOptions withFlavour(GraphFlavour f) {
        return new ExportOptions(
                checkpoint,
                out,
                f,
                tokenizer,
                jobId,
                step,
                externalThresholdBytes,
                chatTemplate,
                specialTokens,
                logitsToKeep,
                quantization);
    }

    public ExportOptions withTokenizer(Path t) {
        return new ExportOptions(
                checkpoint,
                out,
                flavour,
                t,
                jobId,
                step,
                externalThresholdBytes,
                chatTemplate,
                specialTokens,
                logitsToKeep,
                quantization);
    }

    public ExportOptions withJob(String job, Long s) {
        return new ExportOptions(
                checkpoint,
                out,
                flavour,
                tokenizer,
                job,
                s,
                externalThresholdBytes,
                chatTemplate,
                specialTokens,
                logitsToKeep,
                quantization);
    }

    public ExportOptions withExternalThreshold(long bytes) {
        return new ExportOptions(
                checkpoint,
                out,
                flavour,
                tokenizer,
                jobId,
                step,
                bytes,
                chatTemplate,
                specialTokens,
                logitsToKeep,
                quantization);
    }

    /**
     * Writes {@code template} into the export's {@code tokenizer_config.json} as {@code chat_template}, with
     * {@code tokens} (e.g. {@code {"bos_token": "</s>", "eos_token": "</s>"}}) added where the file lacks them.
     */
    public ExportOptions withChatTemplate(String template, Map<String, String> tokens) {
        return new ExportOptions(
                checkpoint,
                out,
                flavour,
                tokenizer,
                jobId,
                step,
                externalThresholdBytes,
                template,
                tokens,
                logitsToKeep,
                quantization);
    }

    /** With or without the {@code logits_to_keep} input (see the record's doc). */
    public ExportOptions withLogitsToKeep(boolean keep) {
        return new ExportOptions(
                checkpoint,
                out,
                flavour,
                tokenizer,
                jobId,
                step,
                externalThresholdBytes,
                chatTemplate,
                specialTokens,
                keep,
                quantization);
    }

    /** With {@code q} for the {@link GraphFlavour#INT8} flavour. */
    public ExportOptions withQuantization(WeightQuantization q) {
        return new ExportOptions(
                checkpoint,
                out,
                flavour,
                tokenizer,
                jobId,
                step,
                externalThresholdBytes,
                chatTemplate,
                specialTokens,
                logitsToKeep,
                q);
    }
}
