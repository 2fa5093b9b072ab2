package dev.kotune.export;

import java.nio.file.Path;

/**
 * What {@link OnnxExporter#export} wrote. Immutable, thread-safe.
 *
 * @param dir             the export directory, e.g. {@code /tmp/kogpt2-onnx}
 * @param model           {@code dir/model.onnx}
 * @param flavour         e.g. FUSED
 * @param externalData    true when weights live in {@code model.onnx.data}
 * @param bytes           total size of the model file(s), e.g. 10_300_000
 * @param tokenizerSha256 sha256 of the shipped tokenizer.json, or null when none was shipped
 */
public record ExportResult(
        Path dir, Path model, GraphFlavour flavour, boolean externalData, long bytes, String tokenizerSha256) {}
