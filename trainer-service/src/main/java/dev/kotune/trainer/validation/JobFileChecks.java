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
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The checks of a job that touch disk: the base model (a directory or a built-in name must hold an HF
 * {@code config.json}, whose {@code n_positions} bounds {@code max_length}), the tokenizer, the dataset file and its
 * examples. Every local path must lie under the {@link DataRoots} (after {@code ..} and symbolic links) and is refused
 * by name before anything is opened; hub ids are not paths and are not checked against the roots. Each problem is
 * (proto field path, value as given, allowed); none carries a file's content. Stateless and thread-safe.
 */
public final class JobFileChecks {

    /** A hub repository id: {@code name} or {@code org/name}. */
    static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DatasetReader datasetReader;
    private final ModelLocator models;
    private final DataRoots roots;

    /**
     * @param datasetReader reads file datasets
     * @param models        finds built-in models and tokenizers ({@code kotune/...})
     * @param roots         where local paths may lie
     */
    public JobFileChecks(DatasetReader datasetReader, ModelLocator models, DataRoots roots) {
        this.datasetReader = datasetReader;
        this.models = models;
        this.roots = roots;
    }

    /**
     * The base model as the job will name it and its context length.
     *
     * @param name       the hub id, built-in name or directory (as a path), e.g. "skt/kogpt2-base-v2"
     * @param nPositions the config's n_positions, or {@link JobValidator#DEFAULT_N_POSITIONS} when not read
     */
    record BaseModel(String name, int nPositions) {
        static BaseModel unread(String name) {
            return new BaseModel(name, JobValidator.DEFAULT_N_POSITIONS);
        }
    }

    BaseModel baseModel(String value, Problems problems) {
        String field = "spec.base_model";
        if (value.isBlank()) {
            problems.required(
                    field,
                    "a hub id like \"skt/kogpt2-base-v2\", an HF-layout directory or a built-in name like"
                            + " \"kotune/tiny-ko\"");
            return BaseModel.unread(value);
        }
        if (ModelLocator.isBuiltIn(value)) {
            return builtInModel(value, field, problems);
        }
        if (!ModelLocator.isPathLike(value)) {
            hubId(field, value, "must be a hub id (org/name), a built-in name or an existing directory", problems);
            return BaseModel.unread(value);
        }
        return directory(value, field, problems);
    }

    private BaseModel builtInModel(String value, String field, Problems problems) {
        Optional<Path> dir = models.builtIn(value);
        if (dir.isEmpty()) {
            problems.add(field, value, models.unknownBuiltIn(value));
            return BaseModel.unread(value);
        }
        return new BaseModel(
                value, nPositions(dir.get(), field, value, problems).nPositions());
    }

    private BaseModel directory(String value, String field, Problems problems) {
        Optional<Path> dir = localPath(field, value, problems);
        if (dir.isEmpty()) {
            return BaseModel.unread(value);
        }
        Path config = dir.get().resolve("config.json");
        if (!Files.isRegularFile(config) || !Files.isReadable(config)) {
            problems.add(field, value, "must be an HF-layout directory with a readable config.json");
            return BaseModel.unread(dir.get().toString());
        }
        return nPositions(dir.get(), field, value, problems);
    }

    /** The directory's config.json n_positions (n_ctx), reporting an unreadable or shapeless config. */
    private static BaseModel nPositions(Path dir, String field, String value, Problems problems) {
        try {
            JsonNode json = JSON.readTree(dir.resolve("config.json").toFile());
            JsonNode n = json.has("n_positions") ? json.get("n_positions") : json.get("n_ctx");
            if (n == null || !n.canConvertToInt() || n.asInt() < 1) {
                problems.add(field, value, "must have a config.json with a positive n_positions");
                return BaseModel.unread(dir.toString());
            }
            return new BaseModel(dir.toString(), n.asInt());
        } catch (IOException e) { // the parser's message may quote the file: not passed on
            problems.add(field, value, "must have a config.json that is readable JSON");
            return BaseModel.unread(dir.toString());
        }
    }

    /** The tokenizer as the job will name it ("" = the base model's). */
    String tokenizer(String value, Problems problems) {
        String field = "spec.tokenizer";
        if (value.isEmpty()) {
            return value;
        }
        if (ModelLocator.isBuiltIn(value)) {
            if (models.builtIn(value).isEmpty()) {
                problems.add(field, value, models.unknownBuiltIn(value));
            }
            return value;
        }
        if (!ModelLocator.isPathLike(value)) {
            hubId(field, value, "must be a hub id (org/name), a built-in name or an existing path", problems);
            return value;
        }
        Optional<Path> path = localPath(field, value, problems);
        if (path.isPresent() && !Files.isReadable(path.get())) {
            problems.add(field, value, "must be a readable tokenizer.json or HF directory");
        }
        return path.map(Path::toString).orElse(value);
    }

    /** The dataset file named by {@code uri}, or null when it is not a readable file under the data roots. */
    Path datasetFile(String uri, Problems problems) {
        String field = "spec.dataset.uri";
        Optional<Path> path = localPath(field, uri, problems);
        if (path.isEmpty()) {
            return null;
        }
        if (!Files.isRegularFile(path.get()) || !Files.isReadable(path.get())) {
            problems.add(field, uri, "must be a readable file");
            return null;
        }
        return path.get();
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
                fileProblems(field, loaded, problems);
            }
            return loaded.examples();
        } catch (IOException e) { // the reader's messages name the file, line, row and column, never content
            String detail = String.valueOf(e.getMessage()).replace(dataset.path() + ": ", "");
            problems.add(field, dataset.path(), "must be readable as " + dataset.format() + " (" + detail + ")");
            return List.of();
        }
    }

    private static void fileProblems(String field, DatasetReader.Loaded loaded, Problems problems) {
        String rule = "must hold a non-blank prompt and completion in every record";
        for (String problem : loaded.problems()) {
            problems.add(field, problem, rule);
        }
        if (loaded.examples().isEmpty() && loaded.problems().isEmpty()) {
            problems.add(field, 0, "must hold at least 1 example");
        }
    }

    private static void hubId(String field, String value, String allowed, Problems problems) {
        if (!HUB_ID.matcher(value).matches()) {
            problems.add(field, value, allowed);
        }
    }

    /** An absolute path or file: URI under the data roots, resolved; empty (with a problem) otherwise. */
    private Optional<Path> localPath(String field, String value, Problems problems) {
        Path path = toPath(value);
        if (path == null || !path.isAbsolute()) {
            problems.add(field, value, "must be an absolute path or a file:// URI " + roots.where());
            return Optional.empty();
        }
        return roots.input(field, value, path, problems);
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
