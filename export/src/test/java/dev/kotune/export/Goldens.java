package dev.kotune.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads conformance/ goldens (JSON + little-endian .f32 blobs, format in conformance/README.md). */
final class Goldens {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Goldens() {}

    /** The repository root: the directory that holds conformance/. */
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

    static Path tinyModel() {
        return repoRoot().resolve("conformance/models/tiny-kogpt2");
    }

    static JsonNode json(String relative) throws IOException {
        return MAPPER.readTree(
                repoRoot().resolve("conformance/goldens").resolve(relative).toFile());
    }

    /** Array {@code name} described in {@code golden.arrays}, read from its .f32 file. */
    static float[] array(JsonNode golden, String name) throws IOException {
        JsonNode a = golden.get("arrays").get(name);
        Path file = repoRoot()
                .resolve("conformance/goldens/gpt2")
                .resolve(a.get("file").asText());
        byte[] all = Files.readAllBytes(file);
        ByteBuffer bb = ByteBuffer.wrap(
                        all, a.get("offset").asInt(), a.get("length").asInt() * 4)
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[a.get("length").asInt()];
        bb.asFloatBuffer().get(out);
        return out;
    }

    static long[][] longs2(JsonNode n) {
        long[][] out = new long[n.size()][];
        for (int i = 0; i < n.size(); i++) {
            out[i] = new long[n.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = n.get(i).get(j).asLong();
            }
        }
        return out;
    }
}
