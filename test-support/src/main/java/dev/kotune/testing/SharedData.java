package dev.kotune.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real data made by others, beside the clone in {@code ../shared/data} (system property {@code kotune.shared.dir}, set
 * by the root pom's surefire configuration, else env {@code KOTUNE_SHARED_DIR}). It is optional for a user's clone but
 * present in CI: a test that needs it FAILS when {@code CI=true} and the data is missing, and is skipped with a loud
 * {@code SKIPPED: MISSING TEST DATA} line otherwise. Stateless; thread-safe.
 */
public final class SharedData {
    private SharedData() {}

    /** {@code ../shared/data/<relative>}, or a failure (CI) / loud skip (elsewhere) when it is not there. */
    public static Path require(String relative) {
        String dir = System.getProperty("kotune.shared.dir", System.getenv("KOTUNE_SHARED_DIR"));
        Path path = dir == null ? null : Path.of(dir, "data", relative);
        if (path != null && Files.exists(path)) {
            return path;
        }
        String message = "MISSING TEST DATA: shared data " + relative + " not found at " + path
                + " (set kotune.shared.dir or KOTUNE_SHARED_DIR to the folder holding data/)";
        if (inCi()) {
            throw new AssertionError(message + " — CI must run this test");
        }
        System.err.println("SKIPPED: " + message);
        assumeTrue(false, message);
        throw new IllegalStateException("unreachable");
    }

    static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
