package dev.kotune.trainer.validation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The directories a job's local paths (dataset, base model, tokenizer, outputs) must lie under
 * ({@code kotune.trainer.data-roots} plus the built-in models directory). A path is inside when, after {@code ..} and
 * symbolic links are resolved, it is a root or lies below one: first by its normalized text (so a path outside is
 * refused without touching it), then by its real path ({@link Path#toRealPath}) for an existing file, or by its
 * nearest existing parent's real path for an output that does not exist yet. Problems name the field, the path as
 * given and the roots. Immutable, thread-safe.
 */
public final class DataRoots {

    private final List<Path> roots;

    /** @param roots the allowed directories; relative ones are taken against the working directory */
    public DataRoots(Collection<Path> roots) {
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("at least one data root is needed");
        }
        this.roots = roots.stream()
                .map(p -> p.toAbsolutePath().normalize())
                .distinct()
                .toList();
    }

    /** The roots, absolute and normalized, in the order given. */
    public List<Path> roots() {
        return roots;
    }

    /** Where paths may lie, e.g. {@code under a data root [/srv/kotune, /opt/models] (kotune.trainer.data-roots)}. */
    String where() {
        return "under a data root " + roots + " (kotune.trainer.data-roots)";
    }

    /** The rule as problems print it: {@code must lie under a data root [...] (...), after .. and symbolic links}. */
    String rule() {
        return "must lie " + where() + ", after .. and symbolic links";
    }

    /**
     * Checks a path that is read (it need not exist: the caller reports a missing file after this check).
     *
     * @param given the value as the job gave it, for the message
     * @return the real path when inside and existing, the normalized path when inside and missing; empty (with a
     *     problem on {@code field}) when outside
     */
    Optional<Path> input(String field, String given, Path path, Problems problems) {
        Path normalized = path.toAbsolutePath().normalize();
        if (!lexicallyInside(normalized)) {
            problems.add(field, given, rule());
            return Optional.empty();
        }
        if (!Files.exists(normalized, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of(normalized);
        }
        Optional<Path> real = realInside(normalized);
        if (real.isEmpty()) {
            problems.add(field, given, rule());
        }
        return real;
    }

    /**
     * Checks a path that will be written: it, or its nearest existing parent when it does not exist yet, must resolve
     * inside a root.
     *
     * @return the path with its existing part resolved, or empty (with a problem on {@code field}) when outside
     */
    Optional<Path> output(String field, String given, Path path, Problems problems) {
        Path normalized = path.toAbsolutePath().normalize();
        if (!lexicallyInside(normalized)) {
            problems.add(field, given, rule());
            return Optional.empty();
        }
        Path existing = normalized;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        Optional<Path> real = existing == null ? Optional.empty() : realInside(existing);
        if (real.isEmpty()) {
            problems.add(field, given, rule());
            return Optional.empty();
        }
        return Optional.of(real.get().resolve(existing.relativize(normalized)));
    }

    /** Inside a root or a root's real path, by the path's text alone (nothing outside is touched). */
    private boolean lexicallyInside(Path normalized) {
        return roots.stream().anyMatch(r -> normalized.startsWith(r) || normalized.startsWith(realOrSelf(r)));
    }

    /** The real path of an existing {@code path} when it lies inside a root's real path. */
    private Optional<Path> realInside(Path path) {
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            return Optional.empty(); // a dangling link or an unreadable parent: not a usable path inside
        }
        for (Path root : roots) {
            if (real.startsWith(realOrSelf(root))) {
                return Optional.of(real);
            }
        }
        return Optional.empty();
    }

    private static Path realOrSelf(Path root) {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return root;
        }
    }
}
