package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ConfigMap names kotune's three topics, the topics Job creates exactly those, and the broker is KRaft 4.1.1. */
class KafkaTopicsTest {

    private static final Map<String, String> TOPICS = Map.of(
            "KOTUNE_TOPICS_JOBS", "kotune.training.jobs",
            "KOTUNE_TOPICS_EVENTS", "kotune.training.events",
            "KOTUNE_TOPICS_DLQ", "kotune.training.dlq");

    private final DeployTree tree = DeployTree.get();

    private Map<String, String> config() {
        return Workloads.stringMap(
                tree.requireBaseResource("ConfigMap", "kotune-config").node().path("data"));
    }

    private JsonNode topicsJobContainer() {
        DeployTree.Resource job = tree.requireBaseResource("Job", "kafka-topics");
        return Workloads.podSpec(job).path("containers").path(0);
    }

    @Test
    void configMapNamesTheThreeTrainingTopics() {
        assertThat(config()).containsAllEntriesOf(TOPICS);
    }

    @Test
    void topicsJobCreatesEveryTopicTheConfigMapNames() {
        JsonNode container = topicsJobContainer();
        Map<String, String> fromConfigMap = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            JsonNode ref = e.path("valueFrom").path("configMapKeyRef");
            if (!ref.isMissingNode()) {
                assertThat(ref.path("name").asText()).isEqualTo("kotune-config");
                fromConfigMap.put(e.path("name").asText(), ref.path("key").asText());
            }
        }
        assertThat(fromConfigMap)
                .containsEntry("TOPIC_JOBS", "KOTUNE_TOPICS_JOBS")
                .containsEntry("TOPIC_EVENTS", "KOTUNE_TOPICS_EVENTS")
                .containsEntry("TOPIC_DLQ", "KOTUNE_TOPICS_DLQ")
                .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_SERVERS");
        String script = container.path("args").path(0).asText();
        for (String topic : new String[] {"TOPIC_JOBS", "TOPIC_EVENTS", "TOPIC_DLQ"}) {
            assertThat(script)
                    .as("the Job's script ensures %s", topic)
                    .contains("ensure \"$" + topic + "\" \"$" + topic + "_PARTITIONS\" \"$" + topic + "_CONFIG\"");
            assertThat(Integer.parseInt(Workloads.literalEnv(container).get(topic + "_PARTITIONS")))
                    .as("%s partitions", topic)
                    .isPositive();
        }
        assertThat(script).contains("--if-not-exists");
    }

    @Test
    void everyTopicIsDeletedByAgeAndTheEventLogIsNeverCompacted() {
        Map<String, String> env = Workloads.literalEnv(topicsJobContainer());
        for (String topic : new String[] {"TOPIC_JOBS", "TOPIC_EVENTS", "TOPIC_DLQ"}) {
            Map<String, String> configs = new LinkedHashMap<>();
            for (String pair : env.get(topic + "_CONFIG").split(",")) {
                String[] kv = pair.split("=", 2);
                configs.put(kv[0].trim(), kv[1].trim());
            }
            // Compaction would keep only the last event per job id and erase the job's history (CheckpointExported).
            assertThat(configs).as("%s configs", topic).containsEntry("cleanup.policy", "delete");
            assertThat(Long.parseLong(configs.get("retention.ms")))
                    .as("%s retention.ms", topic)
                    .isGreaterThanOrEqualTo(24L * 3600 * 1000);
        }
    }

    @Test
    void kafkaBootstrapIsTheBrokersHeadlessServiceAndPort() {
        String[] hostPort = config().get("KAFKA_BOOTSTRAP_SERVERS").split(":");
        DeployTree.Resource service = tree.requireBaseResource("Service", hostPort[0]);
        assertThat(service.node().path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertThat(service.node().path("spec").path("ports").findValuesAsText("port"))
                .contains(hostPort[1]);
    }

    @Test
    void brokerIsASingleKraftNodeOfTheOfficialKafka411Image() {
        DeployTree.Resource kafka = tree.requireBaseResource("StatefulSet", "kafka");
        JsonNode container = Workloads.mainContainer(kafka);
        assertThat(container.path("image").asText()).isEqualTo("apache/kafka:4.1.1");
        assertThat(topicsJobContainer().path("image").asText()).isEqualTo("apache/kafka:4.1.1");
        assertThat(kafka.node().path("spec").path("replicas").asInt()).isEqualTo(1);
        Map<String, String> env = Workloads.literalEnv(container);
        assertThat(env)
                .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
                .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .containsKey("CLUSTER_ID");
        assertThat(Workloads.literalEnv(topicsJobContainer())).containsEntry("REPLICATION_FACTOR", "1");
        assertThat(Workloads.podSpec(kafka).path("enableServiceLinks").asBoolean(true))
                .as("service-link variables (KAFKA_PORT, ...) would become broker properties")
                .isFalse();
    }
}
