package dev.kotune.cli;

import dev.kotune.broker.KafkaBroker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kotune broker}: a real single-node KRaft Kafka on loopback, in the foreground until Ctrl-C. */
@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        description = "Run a single-node KRaft Apache Kafka (from Maven Central jars) on loopback until Ctrl-C.")
final class BrokerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--port",
            defaultValue = "9092",
            description = "Client port (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--controller-port", defaultValue = "0", description = "KRaft controller port (0 = any free port).")
    int controllerPort;

    @Option(
            names = "--data-dir",
            description = "Log directory; kept after exit when given. Default: a temporary directory, deleted on exit.")
    Path dataDir;

    @Override
    public Integer call() throws InterruptedException {
        KafkaBroker.Builder builder = KafkaBroker.builder().port(port).controllerPort(controllerPort);
        if (dataDir != null) {
            builder.dataDir(dataDir);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (KafkaBroker broker = builder.build()) {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                broker.close();
                                stopped.countDown();
                            },
                            "kotune-broker-stop"));
            broker.start();
            out().printf(
                            "Kafka ready in %.1f s: KAFKA_BOOTSTRAP_SERVERS=%s (log: %s). Ctrl-C stops it.%n",
                            broker.startupDuration().toMillis() / 1000.0, broker.bootstrapServers(), broker.logFile());
            stopped.await();
        }
        return 0;
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
