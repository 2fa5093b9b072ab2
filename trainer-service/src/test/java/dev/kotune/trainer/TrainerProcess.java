package dev.kotune.trainer;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * trainer-service started from its packaged jar ({@code target/quarkus-app/quarkus-run.jar}, prod profile) as a child
 * JVM, for the fault tests: configuration as {@code -D} properties, output appended to a log file, {@link #kill9} a
 * {@code SIGKILL}. Not thread-safe; one owner.
 */
final class TrainerProcess implements AutoCloseable {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();

    private final String name;
    private final Map<String, String> config;
    private final Path log;
    private final int port;
    private Process process;

    /**
     * @param name      the envelope's producer ({@code kotune.trainer.producer}) and the log's name
     * @param bootstrap the broker
     * @param home      {@code kotune.home} (replicas of one group share it)
     */
    TrainerProcess(String name, String bootstrap, Path home, Path logDir, Map<String, String> extra)
            throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the fault tests run after `package` (failsafe)");
        }
        this.name = name;
        this.port = freePort();
        this.log = logDir.resolve(name + ".log");
        Files.createDirectories(logDir);
        Map<String, String> c = new TreeMap<>();
        c.put("kafka.bootstrap.servers", bootstrap);
        c.put("kotune.home", home.toString());
        c.put("kotune.trainer.producer", name);
        c.put("kotune.trainer.tokenizer", "in-process");
        c.put(
                "kotune.trainer.builtin-models-dir",
                TestModels.REPO.resolve("models").toString());
        c.put("kotune.trainer.hub-offline", "true");
        c.put("kotune.trainer.intra-op-threads", "1");
        c.put("kotune.trainer.retry.initial-backoff", "500ms");
        c.put("quarkus.http.port", Integer.toString(port));
        c.put("ai.djl.offline", "true");
        // a killed replica's partitions move after 6 s instead of 45 s
        c.put("mp.messaging.incoming.training-jobs.session.timeout.ms", "6000");
        c.put("mp.messaging.incoming.training-jobs.heartbeat.interval.ms", "1000");
        c.putAll(extra);
        this.config = c;
    }

    /** Starts the JVM (again, after a kill) and waits until it answers {@code /q/health/ready} with 200. */
    TrainerProcess start(Duration timeout) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx768m");
        command.add("-XX:TieredStopAtLevel=1");
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(JAR.toString());
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (ready() == 200) {
                return this;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log);
    }

    /** {@code SIGKILL}: no shutdown hook, no final event, nothing flushed. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The status of {@code GET /q/health/ready}; -1 when no answer came within {@code timeout}. */
    int ready(Duration timeout) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/q/health/ready")
                    .toURL()
                    .openConnection();
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            int status = c.getResponseCode();
            c.disconnect();
            return status;
        } catch (IOException e) {
            return -1;
        }
    }

    int ready() {
        return ready(Duration.ofSeconds(2));
    }

    Path log() {
        return log;
    }

    String name() {
        return name;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
