package dev.kotune.trainer.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.tokenization.Example;
import dev.kotune.trainer.dataset.DatasetReader;
import dev.kotune.trainer.domain.Dataset;
import dev.kotune.trainer.run.ModelLocator;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The checks of a job that touch disk: the base model (a directory or a built-in name must hold an HF
 * {@code config.json}, whose {@code n_positions} bounds {@code max_length}), the tokenizer, the dataset file and its
 * examples. Each adds its problems as the proto field path plus the rule and the value. Stateless and thread-safe.
 */
public final class JobFileChecks {

    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DatasetReader datasetReader;
    private final ModelLocator models;

    /**
     * @param datasetReader reads file datasets
     * @param models        finds built-in models and tokenizers ({@code kotune/...})
     */
    public JobFileChecks(DatasetReader datasetReader, ModelLocator models) {
        this.datasetReader = datasetReader;
        this.models = models;
    }

    /**
     * The base model as the job will name it and its context length.
     *
     * @param name       the hub id, built-in name or directory (as a path), e.g. "skt/kogpt2-base-v2"
     * @param nPositions the config's n_positions, or {@link JobValidator#DEFAULT_N_POSITIONS} when not read
     */
    record BaseModel(String name, int nPositions) {}

    BaseModel baseModel(String value, Problems problems) {
        String field = "spec.base_model";
        if (value.isBlank()) {
            problems.add(
                    field,
                    "is required (a hub id like \"skt/kogpt2-base-v2\", an HF-layout directory or a "
                            + "built-in name like \"kotune/tiny-ko\")");
            return new BaseModel(value, JobValidator.DEFAULT_N_POSITIONS);
        }
        if (ModelLocator.isBuiltIn(value)) {
            var dir = models.builtIn(value);
            if (dir.isEmpty()) {
                problems.add(field, models.unknownBuiltIn(value));
                return new BaseModel(value, JobValidator.DEFAULT_N_POSITIONS);
            }
            return new BaseModel(value, nPositions(dir.get(), field, problems).nPositions());
        }
        if (!isPathLike(value)) {
            if (!HUB_ID.matcher(value).matches()) {
                problems.add(
                        field,
                        "must be a hub id (org/name), a built-in name or an existing directory, got \"" + value + "\"");
            }
            return new BaseModel(value, JobValidator.DEFAULT_N_POSITIONS);
        }
        return directory(value, field, problems);
    }

    private static BaseModel directory(String value, String field, Problems problems) {
        Path dir = toPath(value);
        if (dir == null || !dir.isAbsolute()) {
            problems.add(field, "a directory must be an absolute path or a file:// URI, got \"" + value + "\"");
            return new BaseModel(value, JobValidator.DEFAULT_N_POSITIONS);
        }
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config) || !Files.isReadable(config)) {
            problems.add(field, "must be an HF-layout directory with a readable config.json, got \"" + value + "\"");
            return new BaseModel(dir.toString(), JobValidator.DEFAULT_N_POSITIONS);
        }
        return nPositions(dir, field, problems);
    }

    /** The directory's config.json n_positions (n_ctx), reporting an unreadable or shapeless config. */
    private static BaseModel nPositions(Path dir, String field, Problems problems) {
        Path config = dir.resolve("config.json");
        try {
            JsonNode json = JSON.readTree(config.toFile());
            JsonNode n = json.has("n_positions") ? json.get("n_positions") : json.get("n_ctx");
            if (n == null || !n.canConvertToInt() || n.asInt() < 1) {
                problems.add(field, "config.json has no positive n_positions: " + config);
                return new BaseModel(dir.toString(), JobValidator.DEFAULT_N_POSITIONS);
            }
            return new BaseModel(dir.toString(), n.asInt());
        } catch (IOException e) {
            problems.add(field, "config.json is not readable JSON (" + e.getMessage() + "): " + config);
            return new BaseModel(dir.toString(), JobValidator.DEFAULT_N_POSITIONS);
        }
    }

    /** The tokenizer as the job will name it ("" = the base model's). */
    String tokenizer(String value, Problems problems) {
        if (ModelLocator.isBuiltIn(value) && models.builtIn(value).isEmpty()) {
            problems.add("spec.tokenizer", models.unknownBuiltIn(value));
            return value;
        }
        if (value.isEmpty() || !isPathLike(value)) {
            if (!value.isEmpty() && !HUB_ID.matcher(value).matches()) {
                problems.add(
                        "spec.tokenizer", "must be a hub id (org/name) or an existing path, got \"" + value + "\"");
            }
            return value;
        }
        Path path = toPath(value);
        if (path == null || !path.isAbsolute() || !Files.isReadable(path)) {
            problems.add(
                    "spec.tokenizer",
                    "must be a readable tokenizer.json or HF directory given by absolute path "
                            + "or file:// URI, got \"" + value + "\"");
            return value;
        }
        return path.toString();
    }

    /** The dataset file named by {@code uri}, or null when it is not a readable file given by absolute path. */
    static Path datasetFile(String uri, Problems problems) {
        Path path = toPath(uri);
        if (path == null || !path.isAbsolute()) {
            problems.add("spec.dataset.uri", "must be an absolute path or a file:// URI, got \"" + uri + "\"");
            return null;
        } else if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            problems.add("spec.dataset.uri", "must be a readable file, got \"" + uri + "\"");
            return null;
        }
        return path;
    }

    /** The dataset's examples (a file's must hold at least one well-formed example); none when it is null. */
    List<Example> loadExamples(Dataset dataset, Problems problems) {
        if (dataset == null) {
            return List.of();
        }
        String field = dataset.isInline() ? "spec.dataset.inline.examples" : "spec.dataset.uri";
        try {
            DatasetReader.Loaded loaded = datasetReader.read(dataset);
            if (!dataset.isInline()) {
                for (String problem : loaded.problems()) {
                    problems.add(field, problem);
                }
                if (loaded.examples().isEmpty() && loaded.problems().isEmpty()) {
                    problems.add(field, "must hold at least 1 example, the file has none");
                }
            }
            return loaded.examples();
        } catch (IOException e) {
            problems.add(field, "cannot be read as " + dataset.format() + ": " + e.getMessage());
            return List.of();
        }
    }

    private static boolean isPathLike(String value) {
        return value.startsWith("/") || value.startsWith(".") || value.startsWith("file:") || value.startsWith("~");
    }

    /** A local path from an absolute path or a file: URI; null when it is neither. */
    static Path toPath(String value) {
        try {
            if (value.startsWith("file:")) {
                return Path.of(URI.create(value));
            }
            return value.isEmpty() ? null : Path.of(value);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }
}
