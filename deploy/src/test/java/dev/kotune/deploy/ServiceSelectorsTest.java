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
        List<DeployTree.Resource> workloads = new ArrayList<>(tree.baseResources("Deployment"));
        workloads.addAll(tree.baseResources("StatefulSet"));
        return workloads;
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
    void everyStatefulSetHasItsHeadlessService() {
        for (DeployTree.Resource sts : tree.baseResources("StatefulSet")) {
            String serviceName = sts.node().path("spec").path("serviceName").asText();
            DeployTree.Resource service = tree.requireBaseResource("Service", serviceName);
            assertThat(service.node().path("spec").path("clusterIP").asText())
                    .as("%s", service)
                    .isEqualTo("None");
            assertThat(selected(Workloads.stringMap(service.node().path("spec").path("selector"))))
                    .as("what %s selects", service)
                    .containsExactly(sts);
        }
    }

    @Test
    void everyAutoscalerScalesAnExistingDeployment() {
        List<DeployTree.Resource> hpas = tree.baseResources("HorizontalPodAutoscaler");
        assertThat(hpas.stream().map(DeployTree.Resource::name))
                .containsExactlyInAnyOrder("inference-service", "tokenizer-service");
        for (DeployTree.Resource hpa : hpas) {
            JsonNode ref = hpa.node().path("spec").path("scaleTargetRef");
            assertThat(ref.path("kind").asText()).as("%s", hpa).isEqualTo("Deployment");
            DeployTree.Resource target =
                    tree.requireBaseResource("Deployment", ref.path("name").asText());
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

    @Test
    void inferenceDisruptionBudgetSelectsTheInferencePodsAndAllowsEvictionAboveTheAutoscalerMinimum() {
        DeployTree.Resource pdb = tree.requireBaseResource("PodDisruptionBudget", "inference-service");
        assertThat(selected(Workloads.stringMap(
                        pdb.node().path("spec").path("selector").path("matchLabels"))))
                .containsExactly(tree.requireBaseResource("Deployment", "inference-service"));
        int minAvailable = pdb.node().path("spec").path("minAvailable").asInt();
        int minReplicas = tree.requireBaseResource("HorizontalPodAutoscaler", "inference-service")
                .node()
                .path("spec")
                .path("minReplicas")
                .asInt();
        assertThat(minAvailable)
                .as("minAvailable must leave one pod evictable at the HPA minimum, or drains hang")
                .isPositive()
                .isLessThan(minReplicas);
    }
}
