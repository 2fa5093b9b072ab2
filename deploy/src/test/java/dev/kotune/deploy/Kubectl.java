package dev.kotune.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs {@code kubectl kustomize}, which renders manifests offline (no cluster). Stateless; thread-safe. */
final class Kubectl {

    private static final long TIMEOUT_SECONDS = 120;

    private Kubectl() {}

    /** kubectl's path when it is an executable on PATH. */
    static Optional<Path> onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Paths.get(dir, "kubectl");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** What one {@code kubectl kustomize DIR} printed and how it exited. */
    record Result(int exitCode, String stdout, String stderr) {}

    static Result kustomize(Path kubectl, Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile("kotune-kustomize", ".out");
        Path err = Files.createTempFile("kotune-kustomize", ".err");
        try {
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
