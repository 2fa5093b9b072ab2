package dev.kotune.inference;

import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.checkpoint.CheckpointWriter;
import dev.kotune.checkpoint.FloatTensor;
import dev.kotune.checkpoint.StateDict;
import dev.kotune.export.ExportOptions;
import dev.kotune.export.OnnxExporter;
import dev.kotune.tokenization.chat.ChatTemplate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Real exports for the tests, made with the export library from the committed tiny random model
 * ({@code conformance/models/tiny-kogpt2}: n_embd 48, 3 layers, 3 heads, vocab 51,200, context 128) and the
 * built-in tokenizer ({@code models/kotune-ko-bpe-8k}: 8,000 ids, all valid for that model). Exported once per JVM
 * (the paths are kept in system properties, so Quarkus' per-profile class loaders share them).
 */
public final class TestExports {

    /** The prompt format of the notebook. */
    public static final String PROMPT = "질문: 안녕하세요?\n답변:";

    private TestExports() {}

    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("conformance/models/tiny-kogpt2"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("conformance/models/tiny-kogpt2 not found above "
                    + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** The built-in tokenizer file. */
    public static Path tokenizer() {
        return repoRoot().resolve("models/kotune-ko-bpe-8k/tokenizer.json");
    }

    /** tiny-kogpt2 exported with the built-in tokenizer (context 128). */
    public static synchronized Path tiny() {
        return cached(
                "kotune.test.export.tiny", () -> export(repoRoot().resolve("conformance/models/tiny-kogpt2"), "tiny"));
    }

    /**
     * tiny-kogpt2 exported with the chat template of the notebook's training text ({@code 질문: {prompt}\n답변:}), as
     * the trainer writes it into every export.
     */
    public static synchronized Path tinyWithChatTemplate() {
        return cached("kotune.test.export.tiny-chat", () -> {
            Path out = temporaryDirectory("kotune-inference-export-").resolve("tiny-chat");
            // the built-in tokenizer's tokenizer_config.json names its special tokens (eos_token </s>)
            OnnxExporter.export(ExportOptions.of(repoRoot().resolve("conformance/models/tiny-kogpt2"), out)
                    .withTokenizer(tokenizer())
                    .withChatTemplate(ChatTemplate.forPromptTemplate(NOTEBOOK_TEMPLATE), java.util.Map.of()));
            return out;
        });
    }

    /** tiny-kogpt2 exported as the {@code int8} flavour (MatMulNBits weights) with the built-in tokenizer. */
    public static synchronized Path tinyInt8() {
        return cached("kotune.test.export.tiny-int8", () -> {
            Path out = temporaryDirectory("kotune-inference-export-").resolve("tiny-int8");
            OnnxExporter.export(ExportOptions.of(repoRoot().resolve("conformance/models/tiny-kogpt2"), out)
                    .withTokenizer(tokenizer())
                    .withFlavour(dev.kotune.export.GraphFlavour.INT8));
            return out;
        });
    }

    /** The notebook's training text. */
    public static final String NOTEBOOK_TEMPLATE = "질문: {prompt}\n답변:{completion}";

    /**
     * tiny-kogpt2 with its 128 position embeddings repeated to 1,024, exported: the same cheap model with room for a
     * generation of ~1,000 tokens, long enough to be "the slow request" of queue and cancellation tests.
     */
    public static synchronized Path longContext() {
        return cached("kotune.test.export.long", () -> {
            Checkpoint tiny = Checkpoint.read(repoRoot().resolve("conformance/models/tiny-kogpt2"));
            StateDict weights = tiny.weights();
            FloatTensor wpe = weights.get("wpe.weight"); // (128, 48)
            int rows = wpe.shape()[0];
            int width = wpe.shape()[1];
            float[] src = wpe.toArray();
            float[] tiled = new float[1024 * width];
            for (int r = 0; r < 1024; r++) {
                System.arraycopy(src, (r % rows) * width, tiled, r * width, width);
            }
            weights.put("wpe.weight", FloatTensor.of(new int[] {1024, width}, tiled)); // (1024, 48)
            var config = tiny.config()
                    .withShape(
                            1024, width, tiny.config().nLayer(), tiny.config().nHead());
            Path checkpoint = temporaryDirectory("kotune-inference-ckpt-").resolve("long-context");
            CheckpointWriter.to(checkpoint).config(config).weights(weights).write();
            return export(checkpoint, "long-context");
        });
    }

    /**
     * A model directory {@code id} in the models directory whose files are links to {@code export}'s: the catalog
     * sees it as a model and ONNX Runtime loads it, without copying megabytes per test.
     */
    public static Path install(String id, Path export) {
        return link(TestModels.modelsDir().resolve(id), export, false);
    }

    /**
     * Like {@link #install} but with a different tokenizer.json (same tokenizer, one more space at the end: another
     * sha256 than the one kotune.json records).
     */
    public static Path installWithOtherTokenizer(String id, Path export) {
        return link(TestModels.modelsDir().resolve(id), export, true);
    }

    /**
     * A new directory {@code dir} holding links to {@code export}'s files; with {@code otherTokenizer} its
     * tokenizer.json is a changed copy instead (one more space: another sha256 than kotune.json records).
     */
    public static Path link(Path dir, Path export, boolean otherTokenizer) {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(export)) {
                for (Path f : files.toList()) {
                    if (!(otherTokenizer && f.getFileName().toString().equals("tokenizer.json"))) {
                        Files.createSymbolicLink(dir.resolve(f.getFileName()), f);
                    }
                }
            }
            if (otherTokenizer) {
                Files.writeString(
                        dir.resolve("tokenizer.json"), Files.readString(export.resolve("tokenizer.json")) + " ");
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Maker {
        Path make() throws IOException;
    }

    private static Path cached(String property, Maker maker) {
        String known = System.getProperty(property);
        if (known != null && Files.isRegularFile(Path.of(known, "model.onnx"))) {
            return Path.of(known);
        }
        try {
            Path dir = maker.make();
            System.setProperty(property, dir.toString());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new temporary directory, deleted with its contents when the JVM exits. */
    static Path temporaryDirectory(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort
            }
        }));
        return dir;
    }

    private static Path export(Path checkpoint, String name) throws IOException {
        Path out = temporaryDirectory("kotune-inference-export-").resolve(name);
        OnnxExporter.export(ExportOptions.of(checkpoint, out).withTokenizer(tokenizer()));
        List<String> needed = List.of("model.onnx", "kotune.json", "tokenizer.json", "genai_config.json");
        for (String f : needed) {
            if (!Files.isRegularFile(out.resolve(f))) {
                throw new IllegalStateException("the export of " + checkpoint + " has no " + f);
            }
        }
        return out;
    }
}
