package dev.kotune.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.checkpoint.GPT2Config;
import dev.kotune.checkpoint.KotuneMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;

/** Creates and removes model directories in the test run's models directory. */
public final class TestModels {

    private TestModels() {}

    public static Path modelsDir() {
        return Path.of(ConfigProvider.getConfig().getValue("kotune.inference.models-dir", String.class));
    }

    /**
     * A model directory whose kotune.json is written by the checkpoint module's own writer (KoGPT2-base config:
     * vocab 51200, n_positions 1024) plus the export module's {@code onnx.flavour}.
     */
    public static Path create(String id, String jobId, long step) {
        try {
            Path dir = Files.createDirectories(modelsDir().resolve(id));
            ObjectNode json = KotuneMetadata.of(
                            GPT2Config.kogpt2Base(),
                            "e0fa8faf",
                            "skt/kogpt2-base-v2",
                            jobId,
                            step,
                            Map.of("train_loss", 1.137))
                    .toJson();
            json.putObject("onnx").put("file", "model.onnx").put("flavour", "fused");
            Files.write(dir.resolve("kotune.json"), new ObjectMapper().writeValueAsBytes(json));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes everything in the models directory. */
    public static void clear() {
        try (Stream<Path> files = Files.walk(modelsDir())) {
            files.sorted(Comparator.reverseOrder())
                    .filter(p -> !p.equals(modelsDir()))
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
