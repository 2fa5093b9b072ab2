package dev.kotune.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A job file of {@code kotune submit --job}: a {@code TrainingJobSpec} as protobuf JSON, or the same document as
 * YAML ({@code .yaml} / {@code .yml}). YAML is read into a JSON tree first, then goes through the same
 * {@link JsonFormat} parser as JSON, so field names, validation and errors are the same for both.
 */
final class JobFile {
    private static final ObjectMapper YAML =
            new YAMLMapper(YAMLFactory.builder().build()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobFile() {}

    static boolean isYaml(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    /** Reads {@code file} (YAML by its extension, protobuf JSON otherwise) into a spec; a {@link UserException} if not. */
    static TrainingJobSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserException("cannot read job file " + file + ": " + e.getMessage());
        }
        return isYaml(file) ? fromYaml(text, file.toString()) : fromJson(text, file.toString());
    }

    /** A spec from protobuf JSON (field names as in the .proto or lowerCamelCase); {@code source} names it in errors. */
    static TrainingJobSpec fromJson(String json, String source) {
        TrainingJobSpec.Builder spec = TrainingJobSpec.newBuilder();
        try {
            JsonFormat.parser().merge(json, spec);
        } catch (InvalidProtocolBufferException e) {
            throw new UserException(
                    "job file " + source + " is not a valid TrainingJobSpec (kotune.training.v1): " + e.getMessage());
        }
        return spec.build();
    }

    /** A spec from YAML: the YAML document as a JSON tree, then {@link #fromJson}. */
    static TrainingJobSpec fromYaml(String yaml, String source) {
        JsonNode tree;
        try {
            tree = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String problem = e.getOriginalMessage().lines().findFirst().orElse("");
            if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                // SnakeYAML's own words, one line: "while parsing a flow sequence: expected ',' or ']', but got <stream
                // end>".
                where = " at line " + (marked.getProblemMark().getLine() + 1) + ", column "
                        + (marked.getProblemMark().getColumn() + 1);
                problem = (marked.getContext() == null ? "" : marked.getContext() + ": ") + marked.getProblem();
            }
            throw new UserException("job file " + source + " is not valid YAML" + where + ": " + problem);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new UserException(
                    "job file " + source + " is empty: a TrainingJobSpec needs at least base_model and dataset");
        }
        if (!tree.isObject()) {
            throw new UserException("job file " + source + " is not a valid TrainingJobSpec (kotune.training.v1): "
                    + "expected a mapping of fields at the top, got "
                    + tree.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        try {
            return fromJson(JSON.writeValueAsString(tree), source);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written as JSON", e);
        }
    }
}
