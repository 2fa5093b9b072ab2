package dev.kotune.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class KafkaBrokerExtensionTest {

    @Test
    void injectsTheSameSharedBrokerAsTheStaticAccessorAndTheQuarkusResource(@KafkaBootstrapServers String injected) {
        assertThat(injected).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(KafkaBrokerExtension.bootstrapServers()).isEqualTo(injected);
        assertThat(SharedKafkaBroker.isRunning()).isTrue();

        KafkaBrokerTestResource resource = new KafkaBrokerTestResource();
        Map<String, String> config = resource.start();
        resource.stop();
        assertThat(config)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "kafka.bootstrap.servers", injected,
                        "mp.messaging.connector.smallrye-kafka.bootstrap.servers", injected));
        assertThat(SharedKafkaBroker.isRunning())
                .as("the test resource leaves the shared broker running")
                .isTrue();
    }

    @Test
    void sharesOneBrokerWithCopiesOfThisJarInOtherClassLoaders(@KafkaBootstrapServers String injected)
            throws Exception {
        // What a Quarkus test does: load this jar again in an isolated class loader.
        URL classes =
                SharedKafkaBroker.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader isolated = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            Class<?> copy = isolated.loadClass(SharedKafkaBroker.class.getName());
            assertThat(copy).isNotSameAs(SharedKafkaBroker.class);

            Object servers = copy.getMethod("bootstrapServers").invoke(null);

            assertThat(servers).isEqualTo(injected);
        }
        assertThat(SharedKafkaBroker.bootstrapServers()).isEqualTo(injected);
    }

    @Test
    void sharedBrokerAnswersKafkaMetadataRequestsAsALiveSingleNodeCluster(@KafkaBootstrapServers String servers)
            throws IOException {
        int port = Integer.parseInt(servers.substring(servers.lastIndexOf(':') + 1));
        MetadataProbe.Answer answer = MetadataProbe.ask("127.0.0.1", port, Duration.ofSeconds(5));
        assertThat(answer.brokerIds()).containsExactly(KraftProperties.NODE_ID);
        assertThat(answer.clusterId()).hasSize(22);
    }
}
