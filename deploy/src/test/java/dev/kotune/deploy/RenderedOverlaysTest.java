package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** What {@code kubectl kustomize} makes of each overlay: namespaces, kinds, images, probes, replicas, placement. */
class RenderedOverlaysTest {

    private static final Set<String> CLUSTER_SCOPED = Set.of(
            "Namespace",
            "PersistentVolume",
            "StorageClass",
            "ClusterRole",
            "ClusterRoleBinding",
            "CustomResourceDefinition",
            "PriorityClass");

    @TestFactory
    Stream<DynamicTest> everyNamespacedObjectLandsInNamespaceKotune() {
        return Rendered.OVERLAYS.stream()
                .map(overlay -> dynamicTest(overlay, () -> {
                    for (JsonNode doc : Rendered.overlay(overlay)) {
                        if (!CLUSTER_SCOPED.contains(doc.path("kind").asText())) {
                            assertThat(doc.path("metadata").path("namespace").asText())
                                    .as(
                                            "namespace of %s/%s in %s",
                                            doc.path("kind").asText(),
                                            doc.path("metadata").path("name").asText(),
                                            overlay)
                                    .isEqualTo("kotune");
                        }
                    }
                }));
    }

    private static Set<String> kinds(String overlay) {
        return Rendered.overlay(overlay).stream()
                .map(d -> d.path("kind").asText())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void eachOverlayRendersTheKindsItPromises() {
        Set<String> common = Set.of(
                "Namespace", "ConfigMap", "PersistentVolumeClaim", "Deployment", "Service", "Ingress", "NetworkPolicy");
        Set<String> strimzi = Set.of("Kafka", "KafkaNodePool", "KafkaTopic");
        assertThat(kinds("dev")).containsAll(common).containsAll(strimzi).contains("Secret");
        assertThat(kinds("dev")).doesNotContain("HorizontalPodAutoscaler", "PodDisruptionBudget", "StatefulSet");
        assertThat(kinds("dev-plain"))
                .containsAll(common)
                .contains("StatefulSet", "Job", "Secret")
                .doesNotContainAnyElementsOf(strimzi);
        for (String overlay : List.of("prod", "gpu")) {
            assertThat(kinds(overlay))
                    .as(overlay)
                    .containsAll(common)
                    .containsAll(strimzi)
                    .contains("HorizontalPodAutoscaler", "PodDisruptionBudget")
                    .as("%s generates no Secret: the platform owns them", overlay)
                    .doesNotContain("Secret", "StatefulSet");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyServiceContainerHasStartupReadinessAndLivenessProbes() {
        return Rendered.OVERLAYS.stream()
                .map(overlay -> dynamicTest(overlay, () -> {
                    for (DeployTree.Resource owner : Rendered.podOwners(overlay)) {
                        if (owner.kind().equals("Job")) {
                            continue; // runs to completion; nothing routes to it
                        }
                        for (JsonNode c : Workloads.podSpec(owner).path("containers")) {
                            for (String probe : new String[] {"startupProbe", "readinessProbe", "livenessProbe"}) {
                                assertThat(c.has(probe))
                                        .as(
                                                "%s of container %s of %s in %s",
                                                probe, c.path("name").asText(), owner, overlay)
                                        .isTrue();
                            }
                        }
                    }
                }));
    }

    @Test
    void imagesAreTheReleaseTagAndOnlyGpuRunsTheCudaImageOnAGpu() {
        for (String overlay : Rendered.OVERLAYS) {
            boolean gpu = overlay.equals("gpu");
            JsonNode inference = Workloads.mainContainer(Rendered.require(overlay, "Deployment", "inference-service"));
            assertThat(inference.path("image").asText())
                    .as(overlay)
                    .isEqualTo("kotune/inference-service:0.1.0" + (gpu ? "-gpu" : ""));
            for (DeployTree.Resource d : Rendered.ofKind(overlay, "Deployment")) {
                boolean onGpu = !d.node().findValues("nvidia.com/gpu").isEmpty();
                assertThat(onGpu)
                        .as("%s on a GPU in %s", d, overlay)
                        .isEqualTo(gpu && d.name().equals("inference-service"));
            }
        }
        JsonNode inference = Workloads.mainContainer(Rendered.require("gpu", "Deployment", "inference-service"));
        assertThat(inference
                        .path("resources")
                        .path("limits")
                        .path("nvidia.com/gpu")
                        .asText())
                .isEqualTo("1");
        assertThat(Workloads.literalEnv(inference)).containsEntry("KOTUNE_INFERENCE_EXECUTION_PROVIDER", "CUDA");
        // The patch merges into the base container instead of replacing it: ports, probes and mounts survive.
        assertThat(Workloads.namedPorts(inference)).containsKeys("http", "grpc");
        assertThat(inference.path("readinessProbe").path("httpGet").path("path").asText())
                .isEqualTo("/q/health/ready");
        assertThat(inference.path("volumeMounts").findValuesAsText("name")).contains("api-keys", "tmp");
    }

    @Test
    void prodRunsThreeTrainersInOneConsumerGroupOneAtATimeOnRollout() {
        for (String overlay : List.of("prod", "gpu")) {
            DeployTree.Resource trainer = Rendered.require(overlay, "Deployment", "trainer-service");
            JsonNode spec = trainer.node().path("spec");
            assertThat(spec.path("replicas").asInt()).as(overlay).isEqualTo(3);
            assertThat(spec.path("strategy").path("type").asText()).isEqualTo("RollingUpdate");
            assertThat(spec.path("strategy")
                            .path("rollingUpdate")
                            .path("maxSurge")
                            .asInt())
                    .as("no surge: each trainer reserves 6 GiB")
                    .isZero();
            // One group: the group id is the ConfigMap's, and nothing per pod overrides it.
            JsonNode container = Workloads.mainContainer(trainer);
            assertThat(container.path("env").findValuesAsText("name"))
                    .doesNotContain("KOTUNE_TRAINER_GROUP_ID", "MP_MESSAGING_INCOMING_TRAINING_JOBS_GROUP_ID");
            assertThat(Workloads.stringMap(Rendered.require(overlay, "ConfigMap", "kotune-config")
                                    .node()
                                    .path("data"))
                            .get("KOTUNE_TRAINER_GROUP_ID"))
                    .isNotBlank();
            assertThat(Workloads.podSpec(trainer).path("volumes").findValuesAsText("claimName"))
                    .as("trainers share KOTUNE_HOME, so the claim must be ReadWriteMany")
                    .contains("kotune-home");
            assertThat(DeployTree.strings(Rendered.require(overlay, "PersistentVolumeClaim", "kotune-home")
                            .node()
                            .path("spec")
                            .path("accessModes")))
                    .containsExactly("ReadWriteMany");
        }
        assertThat(Rendered.require("dev", "Deployment", "trainer-service")
                        .node()
                        .path("spec")
                        .path("replicas")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void prodSpreadsEveryServiceOverNodes() {
        for (String overlay : List.of("prod", "gpu")) {
            for (DeployTree.Resource d : Rendered.ofKind(overlay, "Deployment")) {
                JsonNode pod = Workloads.podSpec(d);
                List<String> keys = new java.util.ArrayList<>(
                        pod.path("topologySpreadConstraints").findValuesAsText("topologyKey"));
                keys.addAll(pod.path("affinity").path("podAntiAffinity").findValuesAsText("topologyKey"));
                assertThat(keys).as("spread of %s in %s", d, overlay).contains("kubernetes.io/hostname");
                for (JsonNode c : pod.path("topologySpreadConstraints")) {
                    assertThat(Workloads.stringMap(c.path("labelSelector").path("matchLabels")))
                            .as("a spread constraint of %s selects its own pods", d)
                            .containsEntry("app.kubernetes.io/name", d.name());
                }
            }
            JsonNode pool = Rendered.ofKind(overlay, "KafkaNodePool").get(0).node();
            assertThat(pool.path("spec")
                            .path("template")
                            .path("pod")
                            .path("affinity")
                            .path("podAntiAffinity")
                            .path("requiredDuringSchedulingIgnoredDuringExecution")
                            .findValuesAsText("topologyKey"))
                    .as("one Kafka node per Kubernetes node in %s", overlay)
                    .contains("kubernetes.io/hostname");
        }
    }
}
