package dev.kotune.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files committed to this repository (goldens, tiny models, the built-in tokenizer). They are always there, so a
 * missing one is a failure everywhere, never a skip. Stateless; thread-safe.
 */
public final class RepoFiles {
    private RepoFiles() {}

    /** The repository root: the nearest ancestor of the working directory holding {@code .mvn} and {@code conformance}. */
    public static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(".mvn")) && Files.isDirectory(dir.resolve("conformance"))) {
                return dir;
            }
        }
        throw new AssertionError("not inside the kotune repository: no ancestor of "
                + Path.of("").toAbsolutePath() + " holds .mvn/ and conformance/");
    }

    /** {@code <root>/<relative>}, which must exist. */
    public static Path require(String relative) {
        Path path = root().resolve(relative);
        if (!Files.exists(path)) {
            throw new AssertionError("committed file " + relative + " is missing at " + path);
        }
        return path;
    }

    /** {@code <root>/conformance/<relative>} (goldens and tiny models written by conformance/oracle.py). */
    public static Path conformance(String relative) {
        Path path = root().resolve("conformance").resolve(relative);
        if (!Files.exists(path)) {
            throw new AssertionError("conformance/" + relative + " is missing at " + path
                    + " (regenerate with conformance/oracle.py, see conformance/README.md)");
        }
        return path;
    }
}
