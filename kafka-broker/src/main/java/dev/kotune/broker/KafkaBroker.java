package dev.kotune.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real single-node Apache Kafka 4.1 cluster in KRaft mode (one process, broker and controller, node id 1), run in a
 * child JVM from Kafka's own Maven jars, so that Kafka's server classpath (Scala, log4j2) never mixes with the caller's.
 *
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.builder().build().start()) {
 *     producerProps.put("bootstrap.servers", broker.bootstrapServers());
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #start()} formats the storage, starts the broker and returns once the broker answers a Kafka
 * {@code Metadata} request with its own cluster id and node, i.e. once it is unfenced and accepts clients (topic
 * creation included). Ports default to free loopback ports, the data directory to a temporary directory. The broker
 * logs to {@link #logFile()}, not to our stdout; a failed start throws {@link KafkaBrokerStartException} whose message
 * ends with the last {@value #LOG_TAIL_LINES} lines of that log. {@link #close()} stops the broker cleanly (SIGTERM,
 * then a forced kill after the shutdown timeout) and deletes the temporary directory. A JVM shutdown hook does the same
 * if the owner never calls {@code close()}, and the child JVM exits by itself when the parent JVM dies (it watches its
 * stdin pipe), so no broker outlives its test run.
 *
 * <p>Thread-safe: {@code start()} and {@code close()} are synchronized; accessors may be called from any thread.
 */
public final class KafkaBroker implements AutoCloseable {

    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    public static final String DEFAULT_MAX_HEAP = "512m";
    static final int LOG_TAIL_LINES = 40;

    private static final int ATTEMPTS_WITH_PICKED_PORTS = 3;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final long PROBE_INTERVAL_MS = 100;

    private final int requestedPort;
    private final int requestedControllerPort;
    private final Path requestedDataDir;
    private final Duration startupTimeout;
    private final Duration shutdownTimeout;
    private final String maxHeap;
    private final List<String> extraJvmOptions;
    private final Map<String, String> propertyOverrides;

    private volatile Process process;
    private volatile Path workDir;
    private volatile Path dataDir;
    private volatile Path logFile;
    private volatile int port;
    private volatile int controllerPort;
    private volatile String clusterId;
    private volatile Duration startupDuration;
    private volatile Thread shutdownHook;

    private KafkaBroker(Builder b) {
        this.requestedPort = b.port;
        this.requestedControllerPort = b.controllerPort;
        this.requestedDataDir = b.dataDir;
        this.startupTimeout = b.startupTimeout;
        this.shutdownTimeout = b.shutdownTimeout;
        this.maxHeap = b.maxHeap;
        this.extraJvmOptions = List.copyOf(b.jvmOptions);
        this.propertyOverrides = Map.copyOf(b.properties);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the broker and waits until it accepts Kafka clients. When the ports are picked automatically and one was
     * taken in the meantime, it retries with new ports (up to {@value #ATTEMPTS_WITH_PICKED_PORTS} attempts).
     *
     * @return this broker, started
     * @throws KafkaBrokerStartException when the broker exits or does not become ready within the startup timeout
     * @throws IllegalStateException when already started, or when the Kafka jars cannot be found
     */
    public synchronized KafkaBroker start() {
        if (process != null) {
            throw new IllegalStateException("The Kafka broker is already started at " + bootstrapServers());
        }
        WorkDirs.sweepStale();
        List<Path> classpath = KafkaServerClasspath.resolve();
        boolean picksPorts = requestedPort == 0 || requestedControllerPort == 0;
        int attempts = picksPorts ? ATTEMPTS_WITH_PICKED_PORTS : 1;
        for (int attempt = 1; ; attempt++) {
            try {
                startOnce(classpath);
                return this;
            } catch (KafkaBrokerStartException e) {
                if (attempt >= attempts || !e.addressInUse() || requestedPortTaken()) {
                    throw e;
                }
            }
        }
    }

    /** Whether a port the caller fixed is taken: then new picked ports would not help. */
    private boolean requestedPortTaken() {
        return requestedPort > 0 && !FreePorts.isFree(requestedPort)
                || requestedControllerPort > 0 && !FreePorts.isFree(requestedControllerPort);
    }

    private void startOnce(List<Path> classpath) {
        long started = System.nanoTime();
        workDir = WorkDirs.create();
        try {
            int[] picked = FreePorts.pickTwo();
            port = requestedPort > 0 ? requestedPort : picked[0] != requestedControllerPort ? picked[0] : picked[1];
            controllerPort =
                    requestedControllerPort > 0 ? requestedControllerPort : picked[1] != port ? picked[1] : picked[0];
            dataDir = requestedDataDir != null ? requestedDataDir.toAbsolutePath() : workDir.resolve("data");
            Files.createDirectories(dataDir);
            clusterId = existingClusterId(dataDir).orElseGet(KafkaBroker::randomClusterId);
            logFile = workDir.resolve("broker.log");

            Path serverProperties = workDir.resolve("server.properties");
            writeProperties(serverProperties, KraftProperties.of(port, controllerPort, dataDir, propertyOverrides));
            Path log4j2 = workDir.resolve("log4j2.properties");
            Files.writeString(log4j2, KraftProperties.log4j2(), StandardCharsets.UTF_8);
            Path launcher = copyLauncherClass(workDir.resolve("launcher"));

            ProcessBuilder builder = new ProcessBuilder(command(launcher, classpath, log4j2, serverProperties))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile());
            process = builder.start(); // stdin stays a pipe: the child exits when it closes
            WorkDirs.writePid(workDir.resolve(WorkDirs.BROKER_PID), process.pid());
            registerShutdownHook();
            awaitReady(started + startupTimeout.toNanos());
            startupDuration = Duration.ofNanos(System.nanoTime() - started);
        } catch (RuntimeException e) { // KafkaBrokerStartException included: never leave a process or files behind
            stop(true);
            throw e;
        } catch (IOException e) {
            KafkaBrokerStartException failure = failure("Cannot launch the Kafka broker: " + e, e);
            stop(true);
            throw failure;
        }
    }

    private List<String> command(Path launcher, List<Path> classpath, Path log4j2, Path serverProperties) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + maxHeap);
        command.add("-XX:+UseSerialGC");
        // C1 only: ready about twice as fast on a 2-core machine; jvmOption("-XX:TieredStopAtLevel=4") undoes it.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-Djava.awt.headless=true");
        command.add("-Dlog4j2.configurationFile=" + log4j2.toAbsolutePath());
        command.add("-Dkotune.broker.owner.pid=" + ProcessHandle.current().pid()); // names the owner in `ps`
        command.addAll(extraJvmOptions);
        command.add("-cp");
        List<Path> entries = new ArrayList<>();
        entries.add(launcher);
        entries.addAll(classpath);
        command.add(entries.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)));
        command.add(BrokerProcessMain.class.getName());
        command.add(clusterId);
        command.add(serverProperties.toAbsolutePath().toString());
        return command;
    }

    private void awaitReady(long deadlineNanos) {
        String lastProbe = "no answer yet";
        while (true) {
            Process p = process;
            if (!p.isAlive()) {
                throw failure(
                        "The Kafka broker's JVM exited with code " + p.exitValue() + " before it was ready", null);
            }
            try {
                MetadataProbe.Answer answer = MetadataProbe.ask(KraftProperties.HOST, port, PROBE_TIMEOUT);
                if (!clusterId.equals(answer.clusterId())) {
                    throw failure(
                            "Port " + port + " is answered by another Kafka cluster (" + answer.clusterId()
                                    + "), not by ours (" + clusterId + ")",
                            null);
                }
                if (answer.brokerIds().contains(KraftProperties.NODE_ID)) {
                    return;
                }
                lastProbe = "cluster answers, but broker " + KraftProperties.NODE_ID + " is not live yet";
            } catch (IOException e) {
                lastProbe = e.toString();
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw failure(
                        "The Kafka broker did not become ready within "
                                + String.format(Locale.ROOT, "%.1f", startupTimeout.toMillis() / 1000.0)
                                + " s (last probe of " + bootstrapServers() + ": " + lastProbe + ")",
                        null);
            }
            try {
                Thread.sleep(PROBE_INTERVAL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("Interrupted while waiting for the Kafka broker", e);
            }
        }
    }

    private KafkaBrokerStartException failure(String reason, Throwable cause) {
        String diagnosis = LogTail.diagnosis(logFile);
        return new KafkaBrokerStartException(
                reason + (diagnosis.isEmpty() ? "" : ": " + diagnosis), LogTail.read(logFile, LOG_TAIL_LINES), cause);
    }

    /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        requireStarted();
        return KraftProperties.HOST + ":" + port;
    }

    /** The client (PLAINTEXT) port. */
    public int port() {
        requireStarted();
        return port;
    }

    /** The KRaft controller port. */
    public int controllerPort() {
        requireStarted();
        return controllerPort;
    }

    /** The cluster id the storage was formatted with (22 characters, base64url). */
    public String clusterId() {
        requireStarted();
        return clusterId;
    }

    /** {@code log.dirs}: the requested data directory, or a temporary one that {@link #close()} deletes. */
    public Path dataDir() {
        requireStarted();
        return dataDir;
    }

    /** The broker JVM's output (Kafka's log4j2 log included); deleted by {@link #close()}. */
    public Path logFile() {
        requireStarted();
        return logFile;
    }

    /** Time from {@link #start()} to ready (of the successful attempt). */
    public Duration startupDuration() {
        requireStarted();
        return startupDuration;
    }

    /** The pid of the broker's JVM. */
    public long pid() {
        requireStarted();
        return process.pid();
    }

    /** Whether the broker was started, is not closed, and its JVM is alive. */
    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    private void requireStarted() {
        if (process == null) {
            throw new IllegalStateException("The Kafka broker is not started");
        }
    }

    /** Stops the broker (SIGTERM, then a forced kill after the shutdown timeout) and deletes its temporary files. */
    @Override
    public synchronized void close() {
        if (process != null) {
            stop(false);
        }
    }

    private void stop(boolean forced) {
        Process p = process;
        Thread hook = shutdownHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down; the hook is running or will run, which is harmless.
            }
        }
        shutdownHook = null;
        if (p != null) {
            terminate(p, forced ? Duration.ZERO : shutdownTimeout);
        }
        Path dir = workDir;
        if (dir != null) {
            try {
                WorkDirs.deleteRecursively(dir); // holds the data too, unless a data directory was given
            } catch (UncheckedIOException e) {
                // Leave it to the next launcher's sweep.
            }
        }
        process = null;
        workDir = null;
    }

    private static void terminate(Process p, Duration grace) {
        try {
            if (p.isAlive()) {
                if (grace.isZero()) {
                    p.destroyForcibly();
                } else {
                    p.destroy(); // SIGTERM: Kafka's shutdown hook shuts the broker down cleanly
                    if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                        p.destroyForcibly();
                    }
                }
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(p.getOutputStream());
        }
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // Nothing to do: the pipe is gone with the process.
        }
    }

    private void registerShutdownHook() {
        Thread hook = new Thread(() -> stop(false), "kotune-kafka-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        shutdownHook = hook;
    }

    private static Path copyLauncherClass(Path launcherDir) throws IOException {
        String name = BrokerProcessMain.class.getSimpleName() + ".class";
        Path target = launcherDir
                .resolve(KafkaBroker.class.getPackageName().replace('.', '/'))
                .resolve(name);
        Files.createDirectories(target.getParent());
        try (InputStream in = KafkaBroker.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("Class file " + name + " not found next to " + KafkaBroker.class.getName());
            }
            Files.copy(in, target);
        }
        return launcherDir;
    }

    private static void writeProperties(Path file, Map<String, String> values) throws IOException {
        Properties properties = new Properties();
        properties.putAll(values);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "single-node KRaft broker written by dev.kotune.broker.KafkaBroker");
        }
    }

    private static Optional<String> existingClusterId(Path dataDir) throws IOException {
        Path meta = dataDir.resolve("meta.properties");
        if (!Files.isRegularFile(meta)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            properties.load(in);
        }
        return Optional.ofNullable(properties.getProperty("cluster.id"));
    }

    /** A random Kafka {@code Uuid} string: 16 bytes, base64url without padding, never starting with '-'. */
    static String randomClusterId() {
        byte[] bytes = new byte[16];
        String id;
        do {
            ThreadLocalRandom.current().nextBytes(bytes);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (id.startsWith("-"));
        return id;
    }

    /**
     * Options of a {@link KafkaBroker}. Not thread-safe; build once.
     */
    public static final class Builder {
        private int port;
        private int controllerPort;
        private Path dataDir;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private String maxHeap = DEFAULT_MAX_HEAP;
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {}

        /** Client (PLAINTEXT) port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = checkPort(port);
            return this;
        }

        /** KRaft controller port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = checkPort(controllerPort);
            return this;
        }

        /**
         * Data directory ({@code log.dirs}), kept by {@link #close()}; a formatted one is reused with its cluster id.
         * Default: a temporary directory deleted by {@code close()}.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** How long {@link #start()} waits for the broker to accept clients; default 60 s. */
        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = requirePositive(startupTimeout);
            return this;
        }

        /** How long {@link #close()} waits for a clean shutdown before killing; default 30 s. */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = requirePositive(shutdownTimeout);
            return this;
        }

        /** {@code -Xmx} of the broker JVM, e.g. {@code "512m"} (default). */
        public Builder maxHeap(String maxHeap) {
            this.maxHeap = Objects.requireNonNull(maxHeap);
            return this;
        }

        /** An extra option for the broker JVM, appended after ours (so it wins), e.g. {@code -XX:TieredStopAtLevel=4}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(Objects.requireNonNull(option));
            return this;
        }

        /** A {@code server.properties} setting that replaces or adds to ours, e.g. {@code message.max.bytes}. */
        public Builder property(String key, String value) {
            properties.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
            return this;
        }

        public KafkaBroker build() {
            if (port != 0 && port == controllerPort) {
                throw new IllegalArgumentException("port and controllerPort must differ: " + port);
            }
            return new KafkaBroker(this);
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            return port;
        }

        private static Duration requirePositive(Duration duration) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("must be positive: " + duration);
            }
            return duration;
        }
    }
}
