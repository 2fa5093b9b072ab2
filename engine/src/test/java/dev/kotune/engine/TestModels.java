package dev.kotune.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.export.ExportOptions;
import dev.kotune.export.GraphFlavour;
import dev.kotune.export.OnnxExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Test fixtures: conformance/ goldens and the tiny random model exported once per JVM and flavour into a temp dir.
 */
final class TestModels {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<GraphFlavour, Path> EXPORTS = new EnumMap<>(GraphFlavour.class);

    private TestModels() {}

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("conformance/goldens"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException(
                    "conformance/goldens not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** tiny-kogpt2 exported with {@code flavour} (n_embd 48, n_layer 3, n_head 3, vocab 51200, n_positions 128). */
    static synchronized Path tinyExport(GraphFlavour flavour) {
        return EXPORTS.computeIfAbsent(flavour, f -> {
            try {
                Path dir = Files.createTempDirectory("kotune-engine-test-").resolve(f.id());
                OnnxExporter.export(ExportOptions.of(repoRoot().resolve("conformance/models/tiny-kogpt2"), dir)
                        .withFlavour(f));
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static JsonNode golden(String relative) throws IOException {
        return MAPPER.readTree(
                repoRoot().resolve("conformance/goldens").resolve(relative).toFile());
    }

    static float[] array(JsonNode golden, String dir, String name) throws IOException {
        JsonNode a = golden.get("arrays").get(name);
        byte[] all = Files.readAllBytes(repoRoot()
                .resolve("conformance/goldens")
                .resolve(dir)
                .resolve(a.get("file").asText()));
        float[] out = new float[a.get("length").asInt()];
        ByteBuffer.wrap(all, a.get("offset").asInt(), out.length * 4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(out);
        return out;
    }

    static int[] ints(JsonNode n) {
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }
}
