package dev.kotune.cli;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A kotune Quarkus service started from its packaged jar ({@code <module>/target/quarkus-app/quarkus-run.jar})
 * as a child JVM, with configuration passed as system properties, its output in a log file, and readiness
 * taken from {@code /q/health/ready}. Not thread-safe; one owner.
 */
final class ServiceProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final int httpPort;
    private final Path log;

    private ServiceProcess(String name, Process process, int httpPort, Path log) {
        this.name = name;
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    /** Starts {@code module}'s packaged jar; {@code config} become {@code -Dkey=value}. */
    static ServiceProcess start(Path repoRoot, String module, Map<String, String> config, Path logDir)
            throws IOException {
        Path jar = repoRoot.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new UserException(jar + " is missing: build it with ./mvnw -pl " + module + " -am package -DskipTests"
                    + " (the ./kotune launcher does this for `demo`)");
        }
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dai.djl.offline=true");
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        Files.createDirectories(logDir);
        Path log = logDir.resolve(module + ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new ServiceProcess(module, process, port, log);
    }

    /** Waits until {@code /q/health/ready} answers 200, or fails with the end of the service's log. */
    ServiceProcess awaitReady(Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        URI ready = URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready");
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new UserException(
                        name + " exited with " + process.exitValue() + "; last log lines:\n" + tail(40));
            }
            try {
                HttpURLConnection conn = (HttpURLConnection) ready.toURL().openConnection();
                conn.setConnectTimeout(1000);
                conn.setReadTimeout(2000);
                if (conn.getResponseCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new UserException(name + " not ready within " + timeout.toSeconds() + " s; last log lines:\n" + tail(40));
    }

    int httpPort() {
        return httpPort;
    }

    Path log() {
        return log;
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
