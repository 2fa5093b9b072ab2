package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Services, autoscalers and disruption budgets point at workloads that exist, through labels and ports they have. */
class ServiceSelectorsTest {

    private final DeployTree tree = DeployTree.get();

    private List<DeployTree.Resource> workloads() {
        return new ArrayList<>(tree.baseResources("Deployment"));
    }

    private List<DeployTree.Resource> selected(Map<String, String> selector) {
        return workloads().stream()
                .filter(w -> Workloads.podLabels(w).entrySet().containsAll(selector.entrySet()))
                .collect(Collectors.toList());
    }

    @Test
    void everyServiceSelectsThePodsOfExactlyOneDeploymentOrStatefulSet() {
        List<DeployTree.Resource> services = tree.baseResources("Service");
        assertThat(services).isNotEmpty();
        for (DeployTree.Resource service : services) {
            Map<String, String> selector =
                    Workloads.stringMap(service.node().path("spec").path("selector"));
            assertThat(selector).as("selector of %s", service).isNotEmpty();
            assertThat(selected(selector))
                    .as("workloads whose pod labels match %s", service)
                    .hasSize(1);
        }
    }

    @Test
    void everyServiceTargetPortIsAPortOfTheSelectedPods() {
        for (DeployTree.Resource service : tree.baseResources("Service")) {
            DeployTree.Resource workload = selected(
                            Workloads.stringMap(service.node().path("spec").path("selector")))
                    .get(0);
            Map<String, Integer> ports = Workloads.namedPorts(Workloads.mainContainer(workload));
            for (JsonNode p : service.node().path("spec").path("ports")) {
                JsonNode target = p.path("targetPort");
                if (target.isInt()) {
                    assertThat(ports.values()).as("targetPort of %s", service).contains(target.asInt());
                } else {
                    assertThat(ports).as("targetPort of %s", service).containsKey(target.asText());
                }
            }
        }
    }

    @Test
    void grpcPortsDeclareTheGrpcAppProtocol() {
        for (DeployTree.Resource service : tree.baseResources("Service")) {
            for (JsonNode p : service.node().path("spec").path("ports")) {
                if (p.path("name").asText().equals("grpc")) {
                    assertThat(p.path("appProtocol").asText())
                            .as("appProtocol of %s port grpc", service)
                            .isEqualTo("grpc");
                }
            }
        }
    }

    @Test
    void everyAutoscalerScalesAnExistingDeploymentThatLeavesReplicasToIt() {
        for (String overlay : Rendered.OVERLAYS) {
            List<DeployTree.Resource> hpas = Rendered.ofKind(overlay, "HorizontalPodAutoscaler");
            if (overlay.equals("prod") || overlay.equals("gpu")) {
                assertThat(hpas.stream().map(DeployTree.Resource::name))
                        .as(overlay)
                        .containsExactlyInAnyOrder("inference-service", "tokenizer-service");
            } else {
                assertThat(hpas)
                        .as("%s has no autoscalers (one replica each)", overlay)
                        .isEmpty();
            }
            for (DeployTree.Resource hpa : hpas) {
                JsonNode ref = hpa.node().path("spec").path("scaleTargetRef");
                assertThat(ref.path("kind").asText()).as("%s", hpa).isEqualTo("Deployment");
                DeployTree.Resource target =
                        Rendered.require(overlay, "Deployment", ref.path("name").asText());
                assertThat(target.node().path("spec").has("replicas"))
                        .as("%s sets replicas; the HPA owns them and every apply would reset them", target)
                        .isFalse();
                assertThat(hpa.node().path("spec").path("metrics").findValuesAsText("name"))
                        .as("%s", hpa)
                        .contains("cpu");
                assertThat(Workloads.mainContainer(target)
                                .path("resources")
                                .path("requests")
                                .has("cpu"))
                        .as("CPU request of %s (CPU utilization is relative to it)", target)
                        .isTrue();
            }
        }
    }

    @Test
    void everyDisruptionBudgetSelectsOneWorkloadAndLeavesAPodEvictable() {
        for (String overlay : List.of("prod", "gpu")) {
            List<DeployTree.Resource> pdbs = Rendered.ofKind(overlay, "PodDisruptionBudget");
            assertThat(pdbs.stream().map(DeployTree.Resource::name))
                    .as(overlay)
                    .containsExactlyInAnyOrder("inference-service", "tokenizer-service", "trainer-service");
            for (DeployTree.Resource pdb : pdbs) {
                Map<String, String> selector = Workloads.stringMap(
                        pdb.node().path("spec").path("selector").path("matchLabels"));
                List<DeployTree.Resource> selected = Rendered.ofKind(overlay, "Deployment").stream()
                        .filter(w -> Workloads.podLabels(w).entrySet().containsAll(selector.entrySet()))
                        .collect(Collectors.toList());
                assertThat(selected).as("what %s selects in %s", pdb, overlay).hasSize(1);
                DeployTree.Resource deployment = selected.get(0);
                JsonNode spec = pdb.node().path("spec");
                int minReplicas = Rendered.ofKind(overlay, "HorizontalPodAutoscaler").stream()
                        .filter(h -> h.name().equals(deployment.name()))
                        .map(h -> h.node().path("spec").path("minReplicas").asInt())
                        .findFirst()
                        .orElse(deployment.node().path("spec").path("replicas").asInt(1));
                if (spec.has("minAvailable")) {
                    assertThat(spec.path("minAvailable").asInt())
                            .as(
                                    "%s: minAvailable must leave one pod evictable at the minimum replicas, or drains hang",
                                    pdb)
                            .isPositive()
                            .isLessThan(minReplicas);
                } else {
                    assertThat(spec.path("maxUnavailable").asInt())
                            .as("%s", pdb)
                            .isPositive();
                    assertThat(minReplicas).as("replicas guarded by %s", pdb).isGreaterThan(1);
                }
            }
        }
    }
}
