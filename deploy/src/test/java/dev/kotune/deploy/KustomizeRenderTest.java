package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Renders both overlays with {@code kubectl kustomize} (offline) and checks the result. CI does not need kubectl:
 * without it these tests are reported as skipped, with a loud note in the build log, never as passed.
 */
class KustomizeRenderTest {

    private static final Set<String> CLUSTER_SCOPED = Set.of(
            "Namespace",
            "PersistentVolume",
            "StorageClass",
            "ClusterRole",
            "ClusterRoleBinding",
            "CustomResourceDefinition",
            "PriorityClass");

    private static final AtomicBoolean NOTE_PRINTED = new AtomicBoolean();

    private final DeployTree tree = DeployTree.get();

    private static Path kubectlOrSkip() {
        Optional<Path> kubectl = Kubectl.onPath();
        if (kubectl.isEmpty()) {
            String note = String.join(
                    System.lineSeparator(),
                    "",
                    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
                    "!!  kotune deploy: kubectl is NOT on PATH - the `kubectl kustomize` rendering check DID NOT RUN.",
                    "!!  The overlays were checked file by file only. Install kubectl (Debian: kubernetes-client) and",
                    "!!  re-run `./mvnw -pl deploy test` to render deploy/overlays/cpu and deploy/overlays/gpu.",
                    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
                    "");
            if (NOTE_PRINTED.compareAndSet(false, true)) {
                System.out.println(note);
            }
        }
        Assumptions.assumeTrue(
                kubectl.isPresent(),
                "kubectl is not on PATH: the kustomize rendering check did not run (reported as skipped)");
        return kubectl.get();
    }

    private List<JsonNode> render(String overlay) throws Exception {
        Path kubectl = kubectlOrSkip();
        Kubectl.Result result = Kubectl.kustomize(kubectl, tree.overlay(overlay));
        assertThat(result.exitCode())
                .as("kubectl kustomize deploy/overlays/%s failed:%n%s", overlay, result.stderr())
                .isZero();
        List<JsonNode> docs = DeployTree.parse(result.stdout());
        assertThat(docs).as("rendered overlays/%s", overlay).isNotEmpty();
        for (JsonNode doc : docs) {
            if (!CLUSTER_SCOPED.contains(doc.path("kind").asText())) {
                assertThat(doc.path("metadata").path("namespace").asText())
                        .as(
                                "namespace of rendered %s/%s",
                                doc.path("kind").asText(),
                                doc.path("metadata").path("name").asText())
                        .isEqualTo("kotune");
            }
        }
        assertThat(docs.size())
                .as("rendered objects vs the base's")
                .isEqualTo(tree.resources(tree.base()).size());
        return docs;
    }

    private static JsonNode inferenceContainer(List<JsonNode> docs) {
        for (JsonNode doc : docs) {
            if (doc.path("kind").asText().equals("Deployment")
                    && doc.path("metadata").path("name").asText().equals("inference-service")) {
                for (JsonNode c : doc.path("spec").path("template").path("spec").path("containers")) {
                    if (c.path("name").asText().equals("inference-service")) {
                        return c;
                    }
                }
            }
        }
        throw new AssertionError("no inference-service container in the rendered overlay");
    }

    @Test
    void cpuOverlayRendersWithoutAnyGpu() throws Exception {
        List<JsonNode> docs = render("cpu");
        JsonNode inference = inferenceContainer(docs);
        assertThat(inference.path("image").asText()).isEqualTo("kotune/inference-service:0.1.0");
        for (JsonNode doc : docs) {
            assertThat(doc.findValues("nvidia.com/gpu"))
                    .as("%s", doc.path("metadata").path("name").asText())
                    .isEmpty();
        }
    }

    @Test
    void gpuOverlayRendersInferenceOnOneGpuWithTheCudaProvider() throws Exception {
        List<JsonNode> docs = render("gpu");
        JsonNode inference = inferenceContainer(docs);
        assertThat(inference.path("image").asText()).isEqualTo("kotune/inference-service:0.1.0-gpu");
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
        assertThat(inference.path("resources").path("limits").path("memory").asText())
                .isNotBlank();
        for (JsonNode doc : docs) {
            String name = doc.path("metadata").path("name").asText();
            if (doc.path("kind").asText().equals("Deployment") && !name.equals("inference-service")) {
                assertThat(doc.findValues("nvidia.com/gpu"))
                        .as("%s stays on CPU", name)
                        .isEmpty();
            }
        }
    }
}
