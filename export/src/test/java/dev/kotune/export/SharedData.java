package dev.kotune.export;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates ../shared/data (system property {@code kotune.shared.dir}, else env {@code KOTUNE_SHARED_DIR}) and the
 * repo's committed conformance files. Missing data FAILS in CI ({@code CI=true}) and is skipped loudly elsewhere.
 */
final class SharedData {
  private SharedData() {}

  /** A file under {@code ../shared/data}, e.g. {@code "kogpt2/tokenizer.json"}. */
  static Path require(String relative) {
    String dir = System.getProperty("kotune.shared.dir", System.getenv("KOTUNE_SHARED_DIR"));
    Path p = dir == null ? null : Path.of(dir, "data", relative);
    return requireExists(p, "shared data " + relative + " (set kotune.shared.dir or KOTUNE_SHARED_DIR)");
  }

  /** A file under the repo's {@code conformance/} directory (found by walking up from the working directory). */
  static Path conformance(String relative) {
    Path d = Path.of("").toAbsolutePath();
    while (d != null && !Files.isDirectory(d.resolve("conformance"))) {
      d = d.getParent();
    }
    Path p = d == null ? null : d.resolve("conformance").resolve(relative);
    return requireExists(p, "conformance/" + relative + " (run conformance/oracle.py)");
  }

  private static Path requireExists(Path p, String what) {
    if (p != null && Files.exists(p)) {
      return p;
    }
    String msg = "MISSING TEST DATA: " + what + " not found at " + p;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(msg);
    }
    System.err.println("SKIPPED: " + msg);
    assumeTrue(false, msg);
    return null;
  }
}
