package dev.kotune.broker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code server.properties} of a single-node KRaft cluster for Kafka 4.1: one process that is both broker and
 * controller (node id {@value #NODE_ID}), a static one-voter quorum, PLAINTEXT and CONTROLLER listeners on 127.0.0.1,
 * and every internal topic sized for one node (replication factor 1, one partition) so that the first consumer
 * group or transaction does not wait for 50 partitions to be created.
 *
 * <p>Stateless; thread-safe.
 */
final class KraftProperties {

    static final int NODE_ID = 1;
    static final String HOST = "127.0.0.1";

    private KraftProperties() {}

    /**
     * @param port client (PLAINTEXT) port
     * @param controllerPort KRaft controller port
     * @param dataDir {@code log.dirs} (the metadata log lives there too)
     * @param overrides extra or replaced settings, applied last
     */
    static Map<String, String> of(int port, int controllerPort, Path dataDir, Map<String, String> overrides) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.toAbsolutePath().toString());

        p.put("auto.create.topics.enable", "true");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");

        // Light on a small machine: few threads, a small log-cleaner buffer (default 128 MiB of heap).
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        p.putAll(overrides);
        return p;
    }

    /** log4j2 configuration of the child JVM: everything to stdout, which the launcher sends to the log file. */
    static String log4j2() {
        return String.join(
                "\n",
                "status = warn",
                "appender.out.type = Console",
                "appender.out.name = OUT",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.out.ref = OUT",
                // Each config object logs all of its ~200 values at INFO: keep them out of the log tail.
                "logger.config.name = org.apache.kafka.common.config.AbstractConfig",
                "logger.config.level = WARN",
                "");
    }
}
