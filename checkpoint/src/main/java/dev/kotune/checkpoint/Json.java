package dev.kotune.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The one Jackson mapper of this module and small helpers around it. Thread-safe. */
final class Json {

    static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private Json() {}

    /** Reads a JSON object; a {@link CheckpointException} naming the file when missing, malformed or not an object. */
    static JsonNode readObject(Path file) throws CheckpointException {
        try {
            JsonNode node = MAPPER.readTree(Files.readAllBytes(file));
            if (node == null || !node.isObject()) {
                throw new CheckpointException(file, "is not a JSON object");
            }
            return node;
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "file not found");
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file, "malformed JSON", e);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read", e);
        }
    }

    /** Pretty JSON with 2-space indent and a final newline, as {@code save_pretrained} writes it. */
    static byte[] pretty(Object value) throws IOException {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        String s = MAPPER.writer(pp)
                .without(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .writeValueAsString(value);
        return (s + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
