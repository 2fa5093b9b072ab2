package dev.kotune.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The client conformance suite ({@code conformance/api}: the official {@code openai} and {@code huggingface_hub}
 * clients, pytest) against the packaged jar serving the tiny model with a chat template. The clients' pinned venv
 * ({@code conformance/api/requirements.txt}, no torch) is built once into
 * {@code ~/.cache/kotune-conformance/<sha256 of the requirements>} (or {@code $KOTUNE_CONFORMANCE_VENVS}) and reused.
 * Without python3 (or its venv module) the test fails when {@code CI=true} and otherwise is skipped, saying so loudly.
 * The suite's report: {@code target/conformance-api.log} and {@code target/conformance-api-junit.xml}.
 */
@QuarkusIntegrationTest
@WithTestResource(ConformanceJarResource.class)
class ApiConformanceIT {

    private static final long PIP_MINUTES = 10;
    private static final long SUITE_MINUTES = 10;

    @Test
    void theOfficialClientsConformanceSuitePasses() throws Exception {
        Path root = TestExports.repoRoot();
        Path suite = root.resolve("conformance/api");
        Path target = root.resolve("inference-service/target");
        Path python = venv(suite.resolve("requirements.txt"), target);
        Path log = target.resolve("conformance-api.log");
        ProcessBuilder pb = new ProcessBuilder(
                        python.toString(),
                        "-m",
                        "pytest",
                        "-rs",
                        "--junitxml=" + target.resolve("conformance-api-junit.xml"),
                        suite.toString())
                .directory(suite.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("API_BASE_URL", RestAssured.baseURI + ":" + RestAssured.port);
        pb.environment().put("API_MODEL", "tiny");
        pb.environment().put("API_SERVER", "kotune");
        long t0 = System.nanoTime();
        Process p = pb.start();
        boolean finished = p.waitFor(SUITE_MINUTES, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        System.out.printf(
                "conformance/api against the packaged jar (%d s):%n%s%n",
                (System.nanoTime() - t0) / 1_000_000_000, out);
        assertThat(finished)
                .as("the suite finished within %d minutes", SUITE_MINUTES)
                .isTrue();
        assertThat(p.exitValue())
                .as("pytest's exit status; its output:%n%s", out)
                .isZero();
        assertThat(out).contains(" passed");
    }

    /** The suite's venv, built once per requirements file; skips (or in CI fails) without python3. */
    private static Path venv(Path requirements, Path target) throws Exception {
        String python3 = System.getenv().getOrDefault("KOTUNE_PYTHON", "python3");
        if (run(target, List.of(python3, "-c", "import venv, ensurepip"), 1) != 0) {
            String why = python3 + " with its venv module is not available, so conformance/api (the official"
                    + " openai and huggingface_hub clients against the packaged jar) cannot run";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(why + " (CI=true: install python3 and python3-venv)");
            }
            System.out.println("\n*** SKIPPED: " + why + " ***\n");
            Assumptions.abort("SKIPPED: " + why);
        }
        String hash = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(requirements)))
                .substring(0, 16);
        String base = System.getenv("KOTUNE_CONFORMANCE_VENVS");
        Path venvs =
                base != null ? Path.of(base) : Path.of(System.getProperty("user.home"), ".cache", "kotune-conformance");
        Path venv = venvs.resolve(hash);
        Path python = venv.resolve("bin/python");
        if (Files.isExecutable(python) && Files.exists(venv.resolve(".complete"))) {
            return python;
        }
        Files.createDirectories(venvs);
        Path building = Files.createTempDirectory(venvs, hash + ".building-");
        try {
            Path pipLog = target.resolve("conformance-api-pip.log");
            check(run(target, List.of(python3, "-m", "venv", building.toString()), 2), "python3 -m venv", pipLog);
            check(
                    run(
                            pipLog,
                            List.of(
                                    building.resolve("bin/python").toString(),
                                    "-m",
                                    "pip",
                                    "install",
                                    "--disable-pip-version-check",
                                    "-q",
                                    "-r",
                                    requirements.toString()),
                            PIP_MINUTES),
                    "pip install -r " + requirements,
                    pipLog);
            Files.writeString(building.resolve(".complete"), requirements + "\n");
            try {
                Files.move(building, venv, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) { // another build finished first: use it
                deleteTree(building);
            }
        } catch (RuntimeException | Error e) {
            deleteTree(building);
            throw e;
        }
        return python;
    }

    private static void check(int status, String what, Path log) throws IOException {
        if (status != 0) {
            String out = Files.exists(log) ? Files.readString(log) : "";
            throw new AssertionError(what + " failed (exit " + status + "):\n" + out);
        }
    }

    /** Runs a command; output to {@code logOrDir} (a file) or discarded (a directory). Returns the exit status. */
    private static int run(Path logOrDir, List<String> command, long minutes) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        if (Files.isDirectory(logOrDir)) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        } else {
            pb.redirectOutput(logOrDir.toFile());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException notThere) {
            return 127;
        }
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return 124;
        }
        return p.exitValue();
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
