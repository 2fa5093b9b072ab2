package dev.kotune.tokenization.train;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates ../shared/data (system property {@code kotune.shared.dir}, else env {@code KOTUNE_SHARED_DIR}) and files of
 * this repository. Missing shared data FAILS in CI ({@code CI=true}) and is skipped with a loud message elsewhere.
 */
final class SharedData {
  private SharedData() {}

  /** A file under {@code ../shared/data}, e.g. {@code "nsmc/nsmc_reviews_sample.txt"}. */
  static Path require(String relative) {
    String dir = System.getProperty("kotune.shared.dir", System.getenv("KOTUNE_SHARED_DIR"));
    Path p = dir == null ? null : Path.of(dir, "data", relative);
    if (p != null && Files.exists(p)) {
      return p;
    }
    String msg = "MISSING TEST DATA: shared data " + relative + " not found at " + p
        + " (set -Dkotune.shared.dir or KOTUNE_SHARED_DIR to the directory holding data/)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(msg);
    }
    System.err.println("SKIPPED: " + msg);
    assumeTrue(false, msg);
    return null;
  }

  /** A committed file of this repository, found by walking up from the working directory. */
  static Path repoFile(String relative) {
    Path d = Path.of("").toAbsolutePath();
    while (d != null) {
      if (Files.exists(d.resolve(relative)) && Files.isRegularFile(d.resolve("mvnw"))) {
        return d.resolve(relative);
      }
      d = d.getParent();
    }
    throw new AssertionError(relative + " is missing from the repository (searched up from "
        + Path.of("").toAbsolutePath() + ")");
  }
}
