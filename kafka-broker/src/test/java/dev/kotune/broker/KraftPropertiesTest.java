package dev.kotune.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KraftPropertiesTest {

    @Test
    void describesASingleNodeCombinedClusterOnLoopback() {
        Map<String, String> p = KraftProperties.of(19092, 19093, Path.of("/data/kafka"), Map.of());

        assertThat(p)
                .containsEntry("process.roles", "broker,controller")
                .containsEntry("node.id", "1")
                .containsEntry("controller.quorum.voters", "1@127.0.0.1:19093")
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093")
                .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:19092")
                .containsEntry("controller.listener.names", "CONTROLLER")
                .containsEntry(
                        "log.dirs", Path.of("/data/kafka").toAbsolutePath().toString())
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("group.initial.rebalance.delay.ms", "0")
                .containsEntry("auto.create.topics.enable", "true");
    }

    @Test
    void appliesOverridesLast() {
        Map<String, String> p = KraftProperties.of(
                1, 2, Path.of("d"), Map.of("auto.create.topics.enable", "false", "message.max.bytes", "2097152"));

        assertThat(p).containsEntry("auto.create.topics.enable", "false").containsEntry("message.max.bytes", "2097152");
    }

    @Test
    void makesKafkaStyleClusterIds() {
        for (int i = 0; i < 200; i++) {
            assertThat(KafkaBroker.randomClusterId()).matches("[A-Za-z0-9_][A-Za-z0-9_-]{21}");
        }
    }
}
