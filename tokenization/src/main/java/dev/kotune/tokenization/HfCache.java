package dev.kotune.tokenization;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The huggingface_hub cache layout under one root ({@code HF_HUB_CACHE}), so files downloaded here are found
 * by Python and the other way round:
 *
 * <pre>
 * models--{org}--{name}/
 *   blobs/{etag}                       file contents, named by the hub's ETag
 *   refs/{revision}                    the commit hash a branch or tag pointed to
 *   snapshots/{commit}/{file}          relative symlink to ../../blobs/{etag}
 *   .no_exist/{commit}/{file}          empty marker: the hub said this file does not exist at that commit
 * </pre>
 *
 * <p>Writes are atomic (temp file + rename), so concurrent downloads of the same file, in this or another
 * process, leave a complete file. Thread-safe: holds no mutable state.
 */
public final class HfCache {
    private static final Pattern COMMIT_HASH = Pattern.compile("^[0-9a-f]{40}$");

    private final Path root;

    /** @param root the hub cache root, e.g. {@code ~/.cache/huggingface/hub} */
    public HfCache(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    /** The cache root. */
    public Path root() {
        return root;
    }

    /** True when {@code revision} is a full commit hash (then no ref is needed). */
    public static boolean isCommitHash(String revision) {
        return COMMIT_HASH.matcher(revision).matches();
    }

    /** {@code models--org--name}. */
    public Path repoFolder(String repoId) {
        return root.resolve("models--" + repoId.replace("/", "--"));
    }

    /** {@code blobs/{etag}}. */
    public Path blob(String repoId, String etag) {
        return repoFolder(repoId).resolve("blobs").resolve(etag);
    }

    /** {@code snapshots/{commit}}. */
    public Path snapshotDir(String repoId, String commit) {
        return repoFolder(repoId).resolve("snapshots").resolve(commit);
    }

    /** {@code snapshots/{commit}/{file}}. */
    public Path snapshotFile(String repoId, String commit, String file) {
        return snapshotDir(repoId, commit).resolve(file);
    }

    /** {@code .no_exist/{commit}/{file}}. */
    public Path noExistMarker(String repoId, String commit, String file) {
        return repoFolder(repoId).resolve(".no_exist").resolve(commit).resolve(file);
    }

    /** The commit a revision resolves to in the cache: the revision itself if it is a hash, else {@code refs/{revision}}. */
    public Optional<String> commitFor(String repoId, String revision) {
        if (isCommitHash(revision)) {
            return Optional.of(revision);
        }
        Path ref = repoFolder(repoId).resolve("refs").resolve(revision);
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        try {
            String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
            return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The cached file for {@code repoId@revision}, if present (what huggingface_hub's try_to_load_from_cache finds). */
    public Optional<Path> cachedFile(String repoId, String revision, String file) {
        return commitFor(repoId, revision)
                .map(commit -> snapshotFile(repoId, commit, file))
                .filter(Files::isRegularFile);
    }

    /** True when the cache records that the hub has no {@code file} at the commit {@code revision} resolves to. */
    public boolean knownMissing(String repoId, String revision, String file) {
        return commitFor(repoId, revision)
                .map(commit -> Files.exists(noExistMarker(repoId, commit, file)))
                .orElse(false);
    }

    /** Records that {@code revision} (a branch or tag) points at {@code commit}. */
    public void writeRef(String repoId, String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = repoFolder(repoId).resolve("refs").resolve(revision);
        if (Files.isRegularFile(ref)
                && Files.readString(ref, StandardCharsets.UTF_8).trim().equals(commit)) {
            return;
        }
        writeAtomically(ref, commit.getBytes(StandardCharsets.UTF_8));
    }

    /** Creates the {@code .no_exist} marker for a file the hub does not have at {@code commit}. */
    public void markMissing(String repoId, String commit, String file) throws IOException {
        Path marker = noExistMarker(repoId, commit, file);
        Files.createDirectories(marker.getParent());
        try {
            Files.createFile(marker);
        } catch (FileAlreadyExistsException e) {
            // another writer was first
        }
    }

    /**
     * Moves a fully downloaded temp file into {@code blobs/{etag}} (atomic rename) and links
     * {@code snapshots/{commit}/{file}} to it.
     *
     * @return the snapshot path
     */
    public Path commit(String repoId, String commit, String file, String etag, Path downloaded) throws IOException {
        Path blob = blob(repoId, etag);
        Files.createDirectories(blob.getParent());
        moveAtomically(downloaded, blob);
        return link(repoId, commit, file, etag);
    }

    /** Creates a temp file beside the blobs, for a download in progress ({@code *.incomplete}). */
    public Path newIncompleteFile(String repoId, String etag) throws IOException {
        Path blobs = repoFolder(repoId).resolve("blobs");
        Files.createDirectories(blobs);
        return Files.createTempFile(blobs, etag + ".", ".incomplete");
    }

    /**
     * Links {@code snapshots/{commit}/{file}} to an existing {@code blobs/{etag}} with a relative symlink, as
     * huggingface_hub does; copies the blob where symlinks are not supported.
     *
     * @return the snapshot path
     */
    public Path link(String repoId, String commit, String file, String etag) throws IOException {
        Path pointer = snapshotFile(repoId, commit, file);
        if (Files.isRegularFile(pointer)) {
            return pointer;
        }
        Path blob = blob(repoId, etag);
        Files.createDirectories(pointer.getParent());
        try {
            Files.createSymbolicLink(pointer, pointer.getParent().relativize(blob));
        } catch (FileAlreadyExistsException e) {
            // another writer was first; its link points at the same blob
        } catch (UnsupportedOperationException | IOException e) {
            Path tmp = Files.createTempFile(
                    pointer.getParent(), pointer.getFileName().toString() + ".", ".tmp");
            Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
            moveAtomically(tmp, pointer);
        }
        return pointer;
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString() + ".", ".tmp");
        try {
            Files.write(tmp, bytes);
            moveAtomically(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
