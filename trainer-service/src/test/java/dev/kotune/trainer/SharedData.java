package dev.kotune.trainer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates ../shared/data (system property {@code kotune.shared.dir}, else env {@code KOTUNE_SHARED_DIR}). Missing
 * data fails in CI ({@code CI=true}) and skips loudly elsewhere.
 */
public final class SharedData {

    private SharedData() {
    }

    public static Path require(String relative) {
        String dir = System.getProperty("kotune.shared.dir", System.getenv("KOTUNE_SHARED_DIR"));
        Path p = dir == null ? null : Path.of(dir, "data", relative);
        if (p != null && Files.exists(p)) {
            return p;
        }
        String msg = "MISSING TEST DATA: shared data " + relative + " not found at " + p
                + " (set kotune.shared.dir or KOTUNE_SHARED_DIR)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(msg);
        }
        System.err.println("SKIPPED: " + msg);
        assumeTrue(false, msg);
        return null;
    }
}
