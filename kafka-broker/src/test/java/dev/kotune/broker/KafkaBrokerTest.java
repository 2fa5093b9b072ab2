package dev.kotune.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerTest {

    @Test
    void closeStopsTheBrokerFreesItsPortsAndDeletesItsTemporaryDataDir() throws Exception {
        KafkaBroker broker = KafkaBroker.builder().build().start();
        Path dataDir;
        Path logFile;
        long pid;
        int port;
        int controllerPort;
        try {
            port = broker.port();
            controllerPort = broker.controllerPort();
            dataDir = broker.dataDir();
            logFile = broker.logFile();
            pid = broker.pid();
            System.out.printf(
                    "Kafka broker ready in %d ms%n", broker.startupDuration().toMillis());

            assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            assertThat(MetadataProbe.ask("127.0.0.1", port, Duration.ofSeconds(5)))
                    .isEqualTo(new MetadataProbe.Answer(broker.clusterId(), List.of(KraftProperties.NODE_ID)));
            assertThat(dataDir.resolve("meta.properties")).isRegularFile();
            assertThat(Files.readString(logFile)).contains("Kafka Server started");
            assertThat(FreePorts.isFree(port)).isFalse();
            assertThat(FreePorts.isFree(controllerPort)).isFalse();
        } finally {
            broker.close();
        }

        assertThat(broker.isRunning()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat(FreePorts.isFree(port))
                .as("client port %d free after close", port)
                .isTrue();
        assertThat(FreePorts.isFree(controllerPort))
                .as("controller port %d free after close", controllerPort)
                .isTrue();
        assertThat(dataDir).doesNotExist();
        assertThat(logFile.getParent()).doesNotExist();
        assertThatThrownBy(broker::bootstrapServers).isInstanceOf(IllegalStateException.class);
        broker.close(); // idempotent
    }

    @Test
    void keepsAGivenDataDirAndRestartsOnItWithTheSameClusterAndTopics(@TempDir Path dataDir) throws Exception {
        String clusterId;
        try (KafkaBroker first = KafkaBroker.builder().dataDir(dataDir).build().start();
                Admin admin = admin(first)) {
            clusterId = first.clusterId();
            admin.createTopics(List.of(new NewTopic("kept", 2, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        assertThat(dataDir.resolve("meta.properties")).isRegularFile();
        assertThat(dataDir.resolve("kept-0")).isDirectory();

        try (KafkaBroker second = KafkaBroker.builder().dataDir(dataDir).build().start();
                Admin admin = admin(second)) {
            assertThat(second.clusterId()).isEqualTo(clusterId);
            assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                    .isEqualTo(clusterId);
            assertThat(admin.describeTopics(List.of("kept"))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get("kept")
                            .partitions())
                    .hasSize(2);
        }
    }

    private static Admin admin(KafkaBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}
