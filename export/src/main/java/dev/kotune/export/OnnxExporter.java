package dev.kotune.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.checkpoint.AtomicDirectory;
import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.checkpoint.KotuneMetadata;
import dev.kotune.export.gpt2.Gpt2Graph;
import dev.kotune.export.graph.GraphBuilder;
import dev.kotune.export.onnx.proto.ModelProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports a GPT-2 checkpoint to an ONNX directory in Java (no Python): {@code model.onnx} (Optimum's decoder layout
 * with KV cache, weights in {@code raw_data} or {@code model.onnx.data} above the threshold, kotune metadata in
 * {@code metadata_props}), {@code kotune.json}, {@code genai_config.json}, {@code config.json},
 * {@code generation_config.json} when the checkpoint has one, and the tokenizer files; with
 * {@link ExportOptions#chatTemplate()}, {@code tokenizer_config.json} carries it as {@code chat_template} (see
 * {@link TokenizerConfigPatch}) and a source {@code chat_template.jinja}, which would win over it, is left out. The
 * directory appears atomically (temporary sibling + rename); a failure leaves nothing behind. Stateless, thread-safe.
 */
public final class OnnxExporter {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxExporter.class);

    private OnnxExporter() {}

    public static ExportResult export(ExportOptions opts) throws IOException {
        long t0 = System.nanoTime();
        Checkpoint ckpt = Checkpoint.read(opts.checkpoint());
        Map<String, Path> tokenizerFiles = tokenizerFiles(opts);
        Path tokenizerJson = tokenizerFiles.get(ExportFiles.TOKENIZER);
        String sha = tokenizerJson == null ? null : sha256(tokenizerJson);
        KotuneMetadata parent = ckpt.metadata();
        if (parent != null
                && parent.tokenizerSha256() != null
                && sha != null
                && !parent.tokenizerSha256().equalsIgnoreCase(sha)) {
            throw new IllegalArgumentException("tokenizer " + tokenizerJson + " has sha256 " + sha + " but checkpoint "
                    + opts.checkpoint() + " was trained with " + parent.tokenizerSha256()
                    + "; pass the tokenizer.json the checkpoint was trained with (--tokenizer)");
        }
        if (sha == null) {
            LOG.warn("no tokenizer.json in {} and none given: the export will carry token ids only", opts.checkpoint());
            sha = parent != null ? parent.tokenizerSha256() : null;
        }
        KotuneMetadata md = KotuneMetadata.of(
                ckpt.config(),
                sha,
                opts.checkpoint().toAbsolutePath().normalize().toString(),
                opts.jobId() != null ? opts.jobId() : parent != null ? parent.jobId() : null,
                opts.step() != null ? opts.step() : parent != null ? parent.step() : 0L,
                parent != null ? parent.metrics() : Map.of());

        GraphBuilder graph = Gpt2Graph.build(
                opts.flavour(), ckpt.config(), ckpt.weights(), opts.logitsToKeep(), opts.quantization());
        boolean external = graph.initializerBytes() > opts.externalThresholdBytes();
        ExportMetadata meta = new ExportMetadata(
                md,
                new ExportMetadata.OnnxInfo(
                        ExportFiles.MODEL,
                        opts.flavour().id(),
                        Gpt2Graph.OPSET,
                        opts.flavour() == GraphFlavour.PLAIN ? 0 : 1,
                        GraphBuilder.IR_VERSION,
                        external,
                        producer(),
                        opts.flavour().quantized() ? opts.quantization() : null));
        ModelProto model = graph.build("kotune-export", version(), meta.toProps());
        Path genCfgFile = opts.checkpoint().resolve(ExportFiles.GENERATION_CONFIG);
        JsonNode genCfg = Files.isRegularFile(genCfgFile) ? ExportMetadata.MAPPER.readTree(genCfgFile.toFile()) : null;
        byte[] tokenizerConfig = null;
        if (opts.chatTemplate() != null && tokenizerJson == null) {
            LOG.warn("no tokenizer.json to ship: the chat template is not written");
        } else if (opts.chatTemplate() != null) {
            tokenizerConfig = TokenizerConfigPatch.write(
                    tokenizerFiles.get(ExportFiles.TOKENIZER_CONFIG),
                    opts.chatTemplate(),
                    opts.specialTokens(),
                    ckpt.config().nPositions());
            tokenizerFiles.remove(ExportFiles.TOKENIZER_CONFIG);
            tokenizerFiles.remove(ExportFiles.CHAT_TEMPLATE_JINJA);
        }
        byte[] tokenizerConfigBytes = tokenizerConfig;

        Path dir = AtomicDirectory.write(opts.out(), tmp -> {
            OnnxModelWriter.write(model, tmp.resolve(ExportFiles.MODEL), opts.externalThresholdBytes());
            Files.write(tmp.resolve(ExportFiles.KOTUNE_JSON), pretty(meta.toJson()));
            Files.write(
                    tmp.resolve(ExportFiles.GENAI_CONFIG),
                    pretty(GenAiConfig.of(ckpt.config(), ExportFiles.MODEL, genCfg)));
            ckpt.config().write(tmp.resolve(ExportFiles.CONFIG));
            if (genCfg != null) {
                Files.copy(genCfgFile, tmp.resolve(ExportFiles.GENERATION_CONFIG));
            }
            for (Map.Entry<String, Path> f : tokenizerFiles.entrySet()) {
                Files.copy(f.getValue(), tmp.resolve(f.getKey()));
            }
            if (tokenizerConfigBytes != null) {
                Files.write(tmp.resolve(ExportFiles.TOKENIZER_CONFIG), tokenizerConfigBytes);
            }
        });
        Path modelFile = dir.resolve(ExportFiles.MODEL);
        long bytes = Files.size(modelFile) + (external ? Files.size(dir.resolve(ExportFiles.MODEL_DATA)) : 0);
        LOG.info(
                "exported {} ({} graph, {} MB{}) in {} ms",
                dir,
                opts.flavour().id(),
                bytes / 1_000_000,
                external ? ", external data" : "",
                (System.nanoTime() - t0) / 1_000_000);
        return new ExportResult(dir, modelFile, opts.flavour(), external, bytes, sha);
    }

    /**
     * The tokenizer files to ship, by their name in the export: the option (a tokenizer.json file under any name, or
     * a directory), else the checkpoint's.
     */
    private static Map<String, Path> tokenizerFiles(ExportOptions opts) throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        Path t = opts.tokenizer();
        if (t != null && Files.isRegularFile(t)) {
            files.put(ExportFiles.TOKENIZER, t);
            return files;
        }
        Path dir = t != null ? t : opts.checkpoint();
        if (t != null && !Files.isDirectory(t)) {
            throw new java.nio.file.NoSuchFileException(t.toString(), null, "tokenizer file or directory not found");
        }
        for (String name : ExportFiles.TOKENIZER_FILES) {
            if (Files.isRegularFile(dir.resolve(name))) {
                files.put(name, dir.resolve(name));
            }
        }
        if (t != null && !files.containsKey(ExportFiles.TOKENIZER)) {
            throw new java.nio.file.NoSuchFileException(
                    dir.resolve(ExportFiles.TOKENIZER).toString(),
                    null,
                    "the tokenizer directory has no tokenizer.json");
        }
        return files;
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] pretty(Object json) throws IOException {
        return ExportMetadata.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
    }

    static String version() {
        String v = OnnxExporter.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    private static String producer() {
        return "kotune-export " + version();
    }
}
