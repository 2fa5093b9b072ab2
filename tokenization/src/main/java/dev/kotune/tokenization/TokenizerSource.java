package dev.kotune.tokenization;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a tokenizer comes from: a {@code tokenizer.json} file, a directory in the Hugging Face layout
 * ({@code tokenizer.json} plus optional {@code tokenizer_config.json}, {@code special_tokens_map.json},
 * {@code config.json}), or a hub repository id at a revision, fetched through the HF cache.
 *
 * <p>Immutable, thread-safe.
 */
public sealed interface TokenizerSource
        permits TokenizerSource.TokenizerFile, TokenizerSource.HfDirectory, TokenizerSource.HubRepo {

    /** Revision used when none is given, as in huggingface_hub. */
    String DEFAULT_REVISION = "main";

    /**
     * A stable key naming what was loaded: the absolute normalized path, or {@code repo@revision}. Two names that
     * resolve to the same key share one loaded tokenizer.
     */
    String key();

    /**
     * Classifies a user-given name: an existing file or directory wins; otherwise a well-formed hub id
     * ({@code org/name} or {@code name}) is a hub repository; anything else is not found.
     *
     * @param name a path or hub id, e.g. {@code "../shared/data/kogpt2/tokenizer.json"} or {@code "skt/kogpt2-base-v2"}
     * @param revision hub branch, tag or commit; blank means {@code "main"}; ignored for paths
     * @throws InvalidInputException when the name is blank
     * @throws TokenizerNotFoundException when it is neither an existing path nor a hub id
     */
    static TokenizerSource parse(String name, String revision) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("tokenizer.name", "must not be blank");
        }
        String trimmed = name.strip();
        Path path = null;
        try {
            path = Path.of(trimmed);
        } catch (InvalidPathException e) {
            // not a usable path: may still be a hub id
        }
        if (path != null && Files.isRegularFile(path)) {
            return new TokenizerFile(path);
        }
        if (path != null && Files.isDirectory(path)) {
            if (!Files.isRegularFile(path.resolve(HfDirectory.TOKENIZER_JSON))) {
                throw new TokenizerNotFoundException(trimmed, "directory has no " + HfDirectory.TOKENIZER_JSON);
            }
            return new HfDirectory(path);
        }
        if (HubRepo.isValidRepoId(trimmed) && !looksLikePath(trimmed)) {
            String rev = revision == null || revision.isBlank() ? DEFAULT_REVISION : revision.strip();
            return new HubRepo(trimmed, rev);
        }
        throw new TokenizerNotFoundException(
                trimmed, "no such file or directory, and not a hub id of the form 'org/name'");
    }

    private static boolean looksLikePath(String name) {
        return name.startsWith(".") || name.startsWith("/") || name.startsWith("~") || name.endsWith(".json");
    }

    /**
     * A single {@code tokenizer.json}.
     *
     * @param file the file, e.g. {@code ../shared/data/kogpt2/tokenizer.json}
     */
    record TokenizerFile(Path file) implements TokenizerSource {
        public TokenizerFile {
            file = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        }

        @Override
        public String key() {
            return file.toString();
        }
    }

    /**
     * A directory in the Hugging Face {@code save_pretrained} layout.
     *
     * @param directory the directory holding {@code tokenizer.json}
     */
    record HfDirectory(Path directory) implements TokenizerSource {
        /** The file every HF fast tokenizer directory holds. */
        public static final String TOKENIZER_JSON = "tokenizer.json";

        public HfDirectory {
            directory = Objects.requireNonNull(directory, "directory")
                    .toAbsolutePath()
                    .normalize();
        }

        @Override
        public String key() {
            return directory.toString();
        }
    }

    /**
     * A hub model repository at a revision.
     *
     * @param repoId e.g. {@code "skt/kogpt2-base-v2"}
     * @param revision branch, tag or 40-hex commit, e.g. {@code "main"}
     */
    record HubRepo(String repoId, String revision) implements TokenizerSource {
        // huggingface_hub's validate_repo_id: [org/]name, letters, digits, '-', '_', '.', at most 96 chars,
        // no leading/trailing '-' or '.', no '--' or '..'.
        private static final Pattern REPO_ID = Pattern.compile("^(?:[\\w\\-.]+/)?[\\w\\-.]+$");

        private static final Pattern REVISION = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_./-]{0,255}$");

        public HubRepo {
            Objects.requireNonNull(repoId, "repoId");
            Objects.requireNonNull(revision, "revision");
            if (!isValidRepoId(repoId)) {
                throw new InvalidInputException("tokenizer.name", "not a valid hub repo id: '" + repoId + "'");
            }
            requireValidRevision(revision);
        }

        /**
         * Checks a revision (branch, tag, commit, or {@code refs/pr/N}); it becomes a path under {@code refs/}, so
         * nothing that could leave the cache is accepted.
         *
         * @throws InvalidInputException when blank or malformed
         */
        public static void requireValidRevision(String revision) {
            if (revision == null || revision.isBlank()) {
                throw new InvalidInputException("tokenizer.revision", "must not be blank");
            }
            if (!REVISION.matcher(revision).matches()
                    || revision.contains("..")
                    || revision.contains("//")
                    || revision.endsWith("/")) {
                throw new InvalidInputException(
                        "tokenizer.revision",
                        "must be a branch, tag or commit (letters, digits, '.', '_', '-', '/'), got '" + revision
                                + "'");
            }
        }

        /** True when {@code id} is a well-formed hub repo id. */
        public static boolean isValidRepoId(String id) {
            if (id.length() > 96 || !REPO_ID.matcher(id).matches() || id.contains("--") || id.contains("..")) {
                return false;
            }
            for (String part : id.split("/")) {
                if (part.startsWith("-") || part.startsWith(".") || part.endsWith("-") || part.endsWith(".")) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String key() {
            return repoId + "@" + revision;
        }
    }
}
