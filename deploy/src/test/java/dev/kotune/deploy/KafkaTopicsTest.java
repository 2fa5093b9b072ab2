package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Kafka: the Strimzi cluster (KRaft, the root pom's Kafka version) and its KafkaTopics, the dev-plain StatefulSet and
 * its topics Job, and the ConfigMap that tells the services where and what to read. Both Kafkas create the same
 * topics with the same settings, and the events topic is never compacted.
 */
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

    private List<DeployTree.Resource> strimzi(String kind) {
        return tree.resources(tree.deployDir().resolve("kafka/strimzi")).stream()
                .filter(r -> r.kind().equals(kind))
                .collect(Collectors.toList());
    }

    private DeployTree.Resource plain(String kind, String name) {
        return tree.resources(tree.deployDir().resolve("kafka/plain")).stream()
                .filter(r -> r.kind().equals(kind) && r.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("kafka/plain has no " + kind + " " + name));
    }

    private JsonNode topicsJobContainer() {
        return Workloads.podSpec(plain("Job", "kafka-topics"))
                .path("containers")
                .path(0);
    }

    /** topic name -> (partitions, configs) as the dev-plain Job creates them. */
    private Map<String, Map<String, String>> jobTopics() {
        JsonNode container = topicsJobContainer();
        Map<String, String> env = Workloads.literalEnv(container);
        Map<String, String> fromConfigMap = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            JsonNode ref = e.path("valueFrom").path("configMapKeyRef");
            if (!ref.isMissingNode()) {
                assertThat(ref.path("name").asText()).isEqualTo("kotune-config");
                fromConfigMap.put(e.path("name").asText(), ref.path("key").asText());
            }
        }
        Map<String, Map<String, String>> topics = new TreeMap<>();
        for (String var : new String[] {"TOPIC_JOBS", "TOPIC_EVENTS", "TOPIC_DLQ"}) {
            Map<String, String> settings = new TreeMap<>();
            settings.put("partitions", env.get(var + "_PARTITIONS"));
            for (String pair : env.get(var + "_CONFIG").split(",")) {
                String[] kv = pair.split("=", 2);
                settings.put(kv[0].trim(), kv[1].trim());
            }
            topics.put(config().get(fromConfigMap.get(var)), settings);
        }
        return topics;
    }

    /** topic name -> (partitions, configs) as the KafkaTopic resources declare them (dev values). */
    private Map<String, Map<String, String>> strimziTopics() {
        Map<String, Map<String, String>> topics = new TreeMap<>();
        for (DeployTree.Resource topic : strimzi("KafkaTopic")) {
            JsonNode spec = topic.node().path("spec");
            Map<String, String> settings = new TreeMap<>(Workloads.stringMap(spec.path("config")));
            settings.put("partitions", spec.path("partitions").asText());
            topics.put(spec.path("topicName").asText(topic.name()), settings);
        }
        return topics;
    }

    @Test
    void configMapNamesTheThreeTrainingTopics() {
        assertThat(config()).containsAllEntriesOf(TOPICS);
    }

    @Test
    void strimziDeclaresExactlyTheConfigMapsTopicsForItsCluster() {
        String cluster = strimzi("Kafka").get(0).name();
        assertThat(strimziTopics().keySet()).containsExactlyInAnyOrderElementsOf(TOPICS.values());
        for (DeployTree.Resource topic : strimzi("KafkaTopic")) {
            assertThat(Workloads.stringMap(topic.node().path("metadata").path("labels")))
                    .as("%s belongs to the Kafka cluster %s (the Topic Operator ignores it otherwise)", topic, cluster)
                    .containsEntry("strimzi.io/cluster", cluster);
            assertThat(topic.node().path("spec").path("replicas").asInt())
                    .as("dev replicas of %s (one node)", topic)
                    .isEqualTo(1);
        }
    }

    @Test
    void theTopicsJobOfDevPlainCreatesTheSameTopicsWithTheSameSettingsAsStrimzi() {
        assertThat(jobTopics()).isEqualTo(strimziTopics());
        String script = topicsJobContainer().path("args").path(0).asText();
        for (String topic : new String[] {"TOPIC_JOBS", "TOPIC_EVENTS", "TOPIC_DLQ"}) {
            assertThat(script)
                    .as("the Job's script ensures %s", topic)
                    .contains("ensure \"$" + topic + "\" \"$" + topic + "_PARTITIONS\" \"$" + topic + "_CONFIG\"");
        }
        assertThat(script).contains("--if-not-exists");
    }

    @Test
    void everyTopicIsDeletedByAgeAndTheEventLogIsNeverCompacted() {
        for (Map.Entry<String, Map<String, String>> topic : strimziTopics().entrySet()) {
            // Compaction would keep only the last event per job id and erase the job's history (CheckpointExported).
            assertThat(topic.getValue()).as("%s configs", topic.getKey()).containsEntry("cleanup.policy", "delete");
            assertThat(Long.parseLong(topic.getValue().get("retention.ms")))
                    .as("%s retention.ms", topic.getKey())
                    .isGreaterThanOrEqualTo(24L * 3600 * 1000);
            assertThat(Integer.parseInt(topic.getValue().get("partitions")))
                    .as("%s partitions", topic.getKey())
                    .isPositive();
        }
        assertThat(Integer.parseInt(strimziTopics().get("kotune.training.jobs").get("partitions")))
                .as("jobs partitions >= prod's trainer replicas (each trainer needs a partition to train)")
                .isGreaterThanOrEqualTo(prodTrainerReplicas());
    }

    private int prodTrainerReplicas() {
        return DeployTree.parse(tree.overlay("prod").resolve("trainer-service-replicas.yaml"))
                .get(0)
                .path("spec")
                .path("replicas")
                .asInt();
    }

    @Test
    void strimziRunsKraftNodesOfTheRootPomsKafkaVersionWithTopicsOnlyFromKafkaTopics() throws Exception {
        JsonNode kafka = strimzi("Kafka").get(0).node();
        String pom = Files.readString(tree.repoRoot().resolve("pom.xml"));
        Matcher m = Pattern.compile("<kafka.version>([^<]+)</kafka.version>").matcher(pom);
        assertThat(m.find()).as("<kafka.version> in the root pom").isTrue();
        assertThat(kafka.path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1");
        assertThat(kafka.path("spec").path("kafka").path("version").asText())
                .as("the broker version the suite is tested against (kafka-broker module)")
                .isEqualTo(m.group(1));
        assertThat(kafka.path("spec").has("zookeeper")).isFalse();
        assertThat(kafka.path("spec")
                        .path("kafka")
                        .path("config")
                        .path("auto.create.topics.enable")
                        .asBoolean(true))
                .isFalse();
        assertThat(kafka.path("spec").path("entityOperator").has("topicOperator"))
                .as("the Topic Operator turns KafkaTopics into topics")
                .isTrue();
        DeployTree.Resource pool = strimzi("KafkaNodePool").get(0);
        assertThat(Workloads.stringMap(pool.node().path("metadata").path("labels")))
                .containsEntry("strimzi.io/cluster", strimzi("Kafka").get(0).name());
        assertThat(DeployTree.strings(pool.node().path("spec").path("roles")))
                .containsExactlyInAnyOrder("controller", "broker");
    }

    @Test
    void kafkaBootstrapIsStrimzisBootstrapServiceOfThePlainListener() {
        DeployTree.Resource kafka = strimzi("Kafka").get(0);
        JsonNode listener = null;
        for (JsonNode l : kafka.node().path("spec").path("kafka").path("listeners")) {
            if (!l.path("tls").asBoolean(true) && l.path("type").asText().equals("internal")) {
                listener = l;
            }
        }
        assertThat(listener).as("a plain internal listener").isNotNull();
        assertThat(config().get("KAFKA_BOOTSTRAP_SERVERS"))
                .isEqualTo(kafka.name() + "-kafka-bootstrap:"
                        + listener.path("port").asInt());
    }

    @Test
    void devPlainPointsTheServicesAtItsBrokersHeadlessService() {
        Map<String, String> rendered = Workloads.stringMap(Rendered.require("dev-plain", "ConfigMap", "kotune-config")
                .node()
                .path("data"));
        String[] hostPort = rendered.get("KAFKA_BOOTSTRAP_SERVERS").split(":");
        DeployTree.Resource service = plain("Service", hostPort[0]);
        assertThat(service.node().path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertThat(service.node().path("spec").path("ports").findValuesAsText("port"))
                .contains(hostPort[1]);
    }

    @Test
    void prodRunsThreeNodesWithReplicationThreeAndMinInSyncTwoDevOne() {
        for (String overlay : Rendered.OVERLAYS) {
            if (overlay.equals("dev-plain")) {
                assertThat(Rendered.ofKind(overlay, "Kafka")).isEmpty();
                continue;
            }
            boolean prod = !overlay.equals("dev");
            JsonNode pool = Rendered.ofKind(overlay, "KafkaNodePool").get(0).node();
            assertThat(pool.path("spec").path("replicas").asInt()).as(overlay).isEqualTo(prod ? 3 : 1);
            JsonNode config = Rendered.ofKind(overlay, "Kafka")
                    .get(0)
                    .node()
                    .path("spec")
                    .path("kafka")
                    .path("config");
            assertThat(config.path("default.replication.factor").asInt())
                    .as(overlay)
                    .isEqualTo(prod ? 3 : 1);
            assertThat(config.path("min.insync.replicas").asInt()).as(overlay).isEqualTo(prod ? 2 : 1);
            assertThat(config.path("offsets.topic.replication.factor").asInt())
                    .as(overlay)
                    .isEqualTo(prod ? 3 : 1);
            assertThat(config.path("transaction.state.log.min.isr").asInt())
                    .as(overlay)
                    .isEqualTo(prod ? 2 : 1);
            List<DeployTree.Resource> topics = Rendered.ofKind(overlay, "KafkaTopic");
            assertThat(topics).hasSize(3);
            for (DeployTree.Resource topic : topics) {
                JsonNode spec = topic.node().path("spec");
                assertThat(spec.path("replicas").asInt())
                        .as("%s in %s", topic, overlay)
                        .isEqualTo(prod ? 3 : 1);
                if (prod) {
                    assertThat(spec.path("config").path("min.insync.replicas").asInt())
                            .as("%s in %s", topic, overlay)
                            .isEqualTo(2);
                }
            }
        }
    }

    @Test
    void thePlainBrokerIsASingleKraftNodeOfTheOfficialKafka411Image() {
        DeployTree.Resource kafka = plain("StatefulSet", "kafka");
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

    @Test
    void everyStatefulSetHasItsHeadlessService() {
        List<DeployTree.Resource> plain = tree.resources(tree.deployDir().resolve("kafka/plain"));
        for (DeployTree.Resource sts :
                plain.stream().filter(r -> r.kind().equals("StatefulSet")).toList()) {
            DeployTree.Resource service =
                    plain("Service", sts.node().path("spec").path("serviceName").asText());
            assertThat(service.node().path("spec").path("clusterIP").asText())
                    .as("%s", service)
                    .isEqualTo("None");
            assertThat(Workloads.podLabels(sts))
                    .containsAllEntriesOf(
                            Workloads.stringMap(service.node().path("spec").path("selector")));
        }
    }
}
