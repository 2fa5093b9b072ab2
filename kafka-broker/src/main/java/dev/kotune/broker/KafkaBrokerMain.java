package dev.kotune.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one broker from the command line (for the CLI's {@code broker} command and scripts) until SIGTERM, Ctrl-C or
 * end of stdin. Once the broker is ready it prints exactly one line on stdout, {@code KAFKA_BOOTSTRAP_SERVERS=host:port},
 * and writes {@code host:port} to the {@code --ready-file} if one was given; everything else goes to stderr.
 *
 * <pre>
 * java -cp kotune-kafka-broker.jar dev.kotune.broker.KafkaBrokerMain [--port N] [--controller-port N]
 *      [--data-dir DIR] [--ready-file FILE] [--startup-timeout SECONDS] [--ignore-stdin]
 * </pre>
 *
 * <p>End of stdin stops the broker unless stdin is {@code /dev/null} (e.g. a background job of a script) or
 * {@code --ignore-stdin} is given. Exit codes: 0 after a clean stop, 1 when the broker fails to start, 2 on bad usage.
 */
public final class KafkaBrokerMain {

    static final String READY_PREFIX = "KAFKA_BOOTSTRAP_SERVERS=";

    private KafkaBrokerMain() {}

    /** Parsed command line. */
    record Options(
            int port, int controllerPort, Path dataDir, Path readyFile, Duration startupTimeout, boolean ignoreStdin) {}

    public static void main(String[] args) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("kafka-broker: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(usage());
            return;
        }
        System.exit(run(options, System.out, System.err));
    }

    static int run(Options options, PrintStream out, PrintStream err) {
        KafkaBroker.Builder builder = KafkaBroker.builder()
                .port(options.port())
                .controllerPort(options.controllerPort())
                .startupTimeout(options.startupTimeout());
        if (options.dataDir() != null) {
            builder.dataDir(options.dataDir());
        }
        KafkaBroker broker = builder.build(); // its own shutdown hook stops it on SIGTERM / Ctrl-C
        try {
            broker.start();
        } catch (RuntimeException e) {
            err.println("kafka-broker: " + e.getMessage());
            return 1;
        }
        err.printf(
                "kafka-broker: ready in %d ms (cluster %s, controller port %d, data %s, log %s)%n",
                broker.startupDuration().toMillis(),
                broker.clusterId(),
                broker.controllerPort(),
                broker.dataDir(),
                broker.logFile());
        if (options.readyFile() != null) {
            try {
                writeAtomically(options.readyFile(), broker.bootstrapServers() + "\n");
            } catch (IOException e) {
                err.println("kafka-broker: cannot write the ready file " + options.readyFile() + ": " + e);
                broker.close();
                return 1;
            }
        }
        out.println(READY_PREFIX + broker.bootstrapServers());
        out.flush();

        CountDownLatch stop = new CountDownLatch(1);
        boolean watchStdin = !options.ignoreStdin() && !stdinIsDevNull();
        if (watchStdin) {
            Thread watcher = new Thread(
                    () -> {
                        try {
                            while (System.in.read() >= 0) {
                                // Input is ignored; only its end matters.
                            }
                        } catch (IOException e) {
                            // Same as end of input.
                        }
                        stop.countDown();
                    },
                    "kafka-broker-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }
        err.println("kafka-broker: stop with SIGTERM or Ctrl-C" + (watchStdin ? " or by closing stdin" : ""));
        try {
            stop.await();
            err.println("kafka-broker: stdin closed, stopping");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        broker.close();
        return 0;
    }

    static Options parse(String[] args) {
        int port = 0;
        int controllerPort = 0;
        Path dataDir = null;
        Path readyFile = null;
        Duration startupTimeout = KafkaBroker.DEFAULT_STARTUP_TIMEOUT;
        boolean ignoreStdin = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h":
                case "--help":
                    return null;
                case "--port":
                    port = parsePort(arg, value(args, ++i, arg));
                    break;
                case "--controller-port":
                    controllerPort = parsePort(arg, value(args, ++i, arg));
                    break;
                case "--data-dir":
                    dataDir = Path.of(value(args, ++i, arg));
                    break;
                case "--ready-file":
                    readyFile = Path.of(value(args, ++i, arg));
                    break;
                case "--startup-timeout":
                    startupTimeout = Duration.ofSeconds(parseInt(arg, value(args, ++i, arg), 1, 3600));
                    break;
                case "--ignore-stdin":
                    ignoreStdin = true;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (port != 0 && port == controllerPort) {
            throw new IllegalArgumentException("--port and --controller-port must differ");
        }
        return new Options(port, controllerPort, dataDir, readyFile, startupTimeout, ignoreStdin);
    }

    static String usage() {
        return String.join(
                "\n",
                "usage: java -cp kotune-kafka-broker.jar dev.kotune.broker.KafkaBrokerMain [options]",
                "Runs a single-node KRaft Kafka broker on 127.0.0.1 until SIGTERM, Ctrl-C or end of stdin.",
                "  --port N               client port (default: a free port)",
                "  --controller-port N    KRaft controller port (default: a free port)",
                "  --data-dir DIR         data directory, kept and reused (default: temporary, deleted on stop)",
                "  --ready-file FILE      write host:port there once ready",
                "  --startup-timeout S    seconds to wait for the broker (default: 60)",
                "  --ignore-stdin         do not stop at end of stdin",
                "Prints '" + READY_PREFIX + "host:port' on stdout once ready.");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int parsePort(String option, String value) {
        return parseInt(option, value, 0, 65535);
    }

    private static int parseInt(String option, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new IllegalArgumentException(option + " must be in [" + min + ", " + max + "]: " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number: " + value);
        }
    }

    private static boolean stdinIsDevNull() {
        try {
            Path stdin = Path.of("/proc/self/fd/0");
            return Files.isSymbolicLink(stdin)
                    && Files.readSymbolicLink(stdin).toString().equals("/dev/null");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path absolute = file.toAbsolutePath();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        Path tmp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
