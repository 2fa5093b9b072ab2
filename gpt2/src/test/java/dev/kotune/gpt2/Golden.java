package dev.kotune.gpt2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.testing.RepoFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A conformance golden: its JSON and the float32 arrays of the blob beside it (see conformance/README.md). */
record Golden(Path json, JsonNode root) {

    static Golden load(String relative) throws Exception {
        Path p = RepoFiles.conformance("goldens/" + relative);
        return new Golden(p, new ObjectMapper().readTree(Files.readAllBytes(p)));
    }

    float[] array(String name) throws Exception {
        JsonNode d = root.get("arrays").get(name);
        if (d == null) {
            d = root.get("params_after").get("tensors").get(name);
        }
        Path f = json.resolveSibling(d.get("file").asText());
        byte[] all = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(
                        all, d.get("offset").asInt(), d.get("length").asInt() * 4)
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[d.get("length").asInt()];
        b.asFloatBuffer().get(out);
        return out;
    }

    static long[] flatLongs(JsonNode rows) {
        List<Long> out = new ArrayList<>();
        rows.forEach(r -> r.forEach(v -> out.add(v.asLong())));
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asInt();
        }
        return out;
    }
}
