package dev.kotune.inference.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.inference.InferenceConfig;
import dev.kotune.inference.domain.ModelNotFoundException;
import dev.kotune.inference.domain.ModelUnavailableException;
import dev.kotune.inference.domain.ServedModel;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The models this server can serve: every subdirectory of {@code kotune.inference.models-dir} that holds a
 * {@code kotune.json} (the metadata the checkpoint/export modules write: {@code format_version}, {@code config}
 * with {@code n_positions} and {@code vocab_size}, {@code source}, {@code job_id}, {@code step},
 * {@code tokenizer_sha256}, and the export's {@code onnx.flavour}), plus the exports {@link #register registered}
 * from {@code CheckpointExported} events (id = job id; they win over a directory of the same name). The directory
 * is scanned on every call, so a new export is listed at once; parsed files are cached by modification time. A
 * kotune.json that does not parse is skipped with a warning. Thread-safe: a registration replaces an entry
 * atomically.
 */
@ApplicationScoped
public class ModelCatalog {

    /** The metadata file that makes a directory a model. */
    public static final String METADATA_FILE = "kotune.json";

    private static final Logger LOG = Logger.getLogger(ModelCatalog.class);

    private final Path modelsDir;
    private final Optional<String> defaultModel;
    private final ObjectMapper json;
    private final Map<Path, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, ServedModel> registered = new ConcurrentHashMap<>();

    private record Cached(FileTime modified, ServedModel model) {}

    public ModelCatalog(InferenceConfig config, ObjectMapper json) {
        this.modelsDir = config.modelsDir().toAbsolutePath().normalize();
        this.defaultModel = config.defaultModel().filter(s -> !s.isBlank());
        this.json = json;
    }

    /** The models directory (absolute). */
    public Path modelsDir() {
        return modelsDir;
    }

    /** Every model, the default one first, then by id; empty when the directory is missing or holds none. */
    public List<ServedModel> list() {
        List<ServedModel> found = new ArrayList<>();
        if (Files.isDirectory(modelsDir)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(modelsDir, Files::isDirectory)) {
                for (Path dir : dirs) {
                    read(dir).filter(m -> !registered.containsKey(m.id())).ifPresent(found::add);
                }
            } catch (IOException e) {
                LOG.warnf("cannot list models in %s: %s", modelsDir, e.getMessage());
            }
        }
        found.addAll(registered.values());
        found.sort(Comparator.comparing(ServedModel::id));
        if (found.isEmpty()) {
            return found;
        }
        int index = 0;
        if (defaultModel.isPresent()) {
            for (int i = 0; i < found.size(); i++) {
                if (found.get(i).id().equals(defaultModel.get())) {
                    index = i;
                }
            }
        }
        List<ServedModel> ordered = new ArrayList<>(found.size());
        ordered.add(found.get(index).withDefault(true));
        for (int i = 0; i < found.size(); i++) {
            if (i != index) {
                ordered.add(found.get(i));
            }
        }
        return ordered;
    }

    /**
     * The model a request asks for.
     *
     * @param id the model id; empty = the default model
     * @throws ModelNotFoundException    when {@code id} names no model
     * @throws ModelUnavailableException when {@code id} is empty and there is no model at all
     */
    public ServedModel resolve(String id) {
        List<ServedModel> models = list();
        if (id == null || id.isEmpty()) {
            if (models.isEmpty()) {
                throw new ModelUnavailableException("no model loaded: no model in " + modelsDir
                        + " (each model is a directory with a kotune.json)");
            }
            return models.get(0);
        }
        return models.stream()
                .filter(m -> m.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new ModelNotFoundException(
                        id,
                        "model \"" + id + "\" not found; available: "
                                + (models.isEmpty()
                                        ? "none"
                                        : models.stream().map(ServedModel::id).toList())));
    }

    /**
     * Serves {@code model} under its id from now on, replacing any earlier registration of that id (and shadowing a
     * models-dir entry of the same name).
     *
     * @return the model it replaced, if any
     */
    public Optional<ServedModel> register(ServedModel model) {
        return Optional.ofNullable(registered.put(model.id(), model.withDefault(false)));
    }

    /** The ids registered from events (not from the models directory). */
    public List<String> registeredIds() {
        return registered.keySet().stream().sorted().toList();
    }

    /**
     * Reads an export directory's {@code kotune.json} as model {@code id}.
     *
     * @return empty when there is no kotune.json or it does not parse (logged)
     */
    public Optional<ServedModel> readExport(String id, Path dir) {
        Path file = dir.resolve(METADATA_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            ServedModel m = parse(dir, file, Files.getLastModifiedTime(file));
            return m == null ? Optional.empty() : Optional.of(m.withId(id));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<ServedModel> read(Path dir) {
        Path file = dir.resolve(METADATA_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            Cached cached = cache.get(file);
            if (cached != null && cached.modified().equals(modified)) {
                return Optional.ofNullable(cached.model());
            }
            ServedModel model = parse(dir, file, modified);
            cache.put(file, new Cached(modified, model));
            return Optional.ofNullable(model);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The proto's vocabulary ("optimized" or "plain") from {@code graph_flavor}, or from the export module's
     * {@code onnx.flavour} ("fused" = "optimized", "plain"); empty when neither is there.
     */
    static String graphFlavor(JsonNode n) {
        String flavor = n.path("graph_flavor").asText("");
        if (flavor.isEmpty()) {
            flavor = n.path("onnx").path("flavour").asText("");
        }
        return flavor.equalsIgnoreCase("fused") ? "optimized" : flavor.toLowerCase(java.util.Locale.ROOT);
    }

    private ServedModel parse(Path dir, Path file, FileTime modified) {
        try {
            JsonNode n = json.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                LOG.warnf("skipping model %s: %s is not a JSON object", dir.getFileName(), file);
                return null;
            }
            JsonNode config = n.path("config");
            return new ServedModel(
                    dir.getFileName().toString(),
                    dir,
                    n.path("source").asText(""),
                    n.path("job_id").asText(""),
                    n.path("step").asLong(0),
                    n.path("tokenizer_sha256").asText(""),
                    graphFlavor(n),
                    config.path("n_positions").asInt(0),
                    config.path("vocab_size").asInt(0),
                    modified.toInstant(),
                    false);
        } catch (IOException e) {
            LOG.warnf("skipping model %s: %s does not parse: %s", dir.getFileName(), file, e.getMessage());
            return null;
        }
    }
}
