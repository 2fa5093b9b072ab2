package dev.kotune.trainer.run;

import dev.kotune.tokenization.HfEnvironment;
import dev.kotune.tokenization.HubClient;
import dev.kotune.tokenization.HubUnavailableException;
import dev.kotune.tokenization.TokenizationException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a model or tokenizer named in a job: an absolute directory or {@code file:} URI, a built-in name
 * {@code kotune/<name>} ({@code <builtin-models-dir>/kotune-<name>}, e.g. {@code kotune/tiny-ko} →
 * {@code models/kotune-tiny-ko}), or a hub id ({@code org/name}), fetched into the HF cache with tokenization's
 * {@link HubClient} (its {@code HF_*} conventions; revision {@code main}). Thread-safe: immutable, and the hub client
 * is thread-safe.
 */
public final class ModelLocator {

    /** Names starting with this are built-ins, never hub ids. */
    public static final String BUILT_IN_PREFIX = "kotune/";
    /** Directory prefix of a built-in under the built-in models dir. */
    public static final String BUILT_IN_DIR_PREFIX = "kotune-";

    private static final String CONFIG = "config.json";
    private static final String SAFETENSORS = "model.safetensors";
    private static final String TORCH_BIN = "pytorch_model.bin";
    private static final List<String> TOKENIZER_EXTRAS = List.of("tokenizer_config.json", "special_tokens_map.json");

    private final Path builtinDir;
    private final HfEnvironment hubEnv;
    private final List<Path> dataRoots;
    private volatile HubClient hub;

    /**
     * @param builtinDir the built-in models directory, e.g. {@code /repo/models}
     * @param hubEnv     where hub files are cached and fetched from
     */
    public ModelLocator(Path builtinDir, HfEnvironment hubEnv) {
        this(builtinDir, hubEnv, List.of());
    }

    /**
     * @param builtinDir the built-in models directory, e.g. {@code /repo/models}
     * @param hubEnv     where hub files are cached and fetched from
     * @param dataRoots  the directories a job's local paths may lie under ({@code kotune.trainer.data-roots}); the
     *                   built-in directory is always one of them
     */
    public ModelLocator(Path builtinDir, HfEnvironment hubEnv, List<Path> dataRoots) {
        this.builtinDir = builtinDir.toAbsolutePath().normalize();
        this.hubEnv = hubEnv;
        this.dataRoots = Stream.concat(dataRoots.stream(), Stream.of(this.builtinDir))
                .map(p -> p.toAbsolutePath().normalize())
                .distinct()
                .toList();
    }

    /** The directories a job's local paths (datasets, models, tokenizers) may lie under, the built-in one included. */
    public List<Path> dataRoots() {
        return dataRoots;
    }

    /** The hub client, made on first use (it owns an HTTP client). */
    private HubClient hub() {
        HubClient h = hub;
        if (h == null) {
            synchronized (this) {
                if (hub == null) {
                    hub = new HubClient(hubEnv);
                }
                h = hub;
            }
        }
        return h;
    }

    /** The built-in models directory (absolute). */
    public Path builtinDir() {
        return builtinDir;
    }

    /** Whether {@code name} is a built-in name ({@code kotune/...}). */
    public static boolean isBuiltIn(String name) {
        return name.startsWith(BUILT_IN_PREFIX);
    }

    /** Whether {@code name} is given as a local path (absolute, relative, home or {@code file:} URI). */
    public static boolean isPathLike(String name) {
        return name.startsWith("/") || name.startsWith(".") || name.startsWith("file:") || name.startsWith("~");
    }

    /** The directory a built-in name stands for, if it exists. */
    public Optional<Path> builtIn(String name) {
        if (!isBuiltIn(name)) {
            return Optional.empty();
        }
        String rest = name.substring(BUILT_IN_PREFIX.length());
        if (rest.isEmpty() || rest.contains("/") || rest.contains("..")) {
            return Optional.empty();
        }
        Path dir = builtinDir.resolve(BUILT_IN_DIR_PREFIX + rest);
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /** The built-in names found in the built-in directory, e.g. [kotune/ko-bpe-8k, kotune/tiny-ko]. */
    public List<String> builtInNames() {
        if (!Files.isDirectory(builtinDir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(builtinDir)) {
            return dirs.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(BUILT_IN_DIR_PREFIX))
                    .map(n -> BUILT_IN_PREFIX + n.substring(BUILT_IN_DIR_PREFIX.length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Why a built-in name is unknown, listing the known ones. */
    public String unknownBuiltIn(String name) {
        return "no built-in model \"" + name + "\" in " + builtinDir + " (built-ins there: " + builtInNames()
                + "; set kotune.trainer.builtin-models-dir)";
    }

    /**
     * Resolves a base model to an HF-layout directory holding {@code config.json} and {@code model.safetensors} or
     * {@code pytorch_model.bin} (downloading both files of a hub id when needed).
     *
     * @throws JobFailure BASE_MODEL naming the path or id and what is missing
     */
    public Path resolveModel(String name) throws JobFailure {
        Path dir;
        if (isBuiltIn(name)) {
            dir = builtIn(name).orElseThrow(() -> new JobFailure(ErrorType.BASE_MODEL, unknownBuiltIn(name)));
        } else if (isPathLike(name)) {
            dir = toPath(name)
                    .orElseThrow(() ->
                            new JobFailure(ErrorType.BASE_MODEL, "base model \"" + name + "\" is not a usable path"));
        } else {
            dir = fromHub(name);
        }
        if (!Files.isDirectory(dir)) {
            throw new JobFailure(ErrorType.BASE_MODEL, "base model directory " + dir + " does not exist");
        }
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            throw new JobFailure(ErrorType.BASE_MODEL, "base model directory " + dir + " has no " + CONFIG);
        }
        if (!Files.isRegularFile(dir.resolve(SAFETENSORS)) && !Files.isRegularFile(dir.resolve(TORCH_BIN))) {
            throw new JobFailure(
                    ErrorType.BASE_MODEL,
                    "base model directory " + dir + " has neither " + SAFETENSORS + " nor " + TORCH_BIN);
        }
        return dir;
    }

    private Path fromHub(String repoId) throws JobFailure {
        try {
            Path snapshot = hub().snapshot(repoId, "main", List.of(CONFIG), List.of());
            String commit = snapshot.getFileName().toString();
            if (hub().download(repoId, commit, SAFETENSORS, false).isEmpty()) {
                hub().download(repoId, commit, TORCH_BIN, true);
            }
            fetchTokenizerFiles(repoId, commit, false);
            return snapshot;
        } catch (TokenizationException e) {
            throw new JobFailure(
                    ErrorType.BASE_MODEL,
                    "base model \"" + repoId + "\" from the hub: " + e.getMessage(),
                    e instanceof HubUnavailableException,
                    e);
        }
    }

    /**
     * The snapshot directory of a hub repository's tokenizer ({@code tokenizer.json} plus the optional HF files).
     *
     * @throws TokenizationException when the hub or the cache cannot provide it
     */
    public Path tokenizerFromHub(String repoId) {
        return fetchTokenizerFiles(repoId, "main", true);
    }

    private Path fetchTokenizerFiles(String repoId, String revision, boolean required) {
        Optional<Path> json = hub().download(repoId, revision, "tokenizer.json", required);
        if (json.isEmpty()) {
            return null;
        }
        String commit = json.get().getParent().getFileName().toString();
        for (String extra : TOKENIZER_EXTRAS) {
            hub().download(repoId, commit, extra, false);
        }
        return json.get().getParent();
    }

    /** A local path from an absolute path, {@code ~/...} or a {@code file:} URI. */
    public static Optional<Path> toPath(String value) {
        try {
            if (value.startsWith("file:")) {
                return Optional.of(Path.of(URI.create(value)));
            }
            if (value.startsWith("~/")) {
                return Optional.of(Path.of(System.getProperty("user.home")).resolve(value.substring(2)));
            }
            return value.isEmpty()
                    ? Optional.empty()
                    : Optional.of(Path.of(value).toAbsolutePath().normalize());
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return Optional.empty();
        }
    }
}
