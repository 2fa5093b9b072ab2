package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every YAML file under deploy/ parses, is a Kubernetes object or a Kustomization, and is used by a kustomization. */
class ManifestFilesTest {

    private final DeployTree tree = DeployTree.get();

    @Test
    void everyYamlDocumentUnderDeployParsesAndNamesItsApiVersionAndKind() {
        assertThat(tree.documents()).as("YAML files under deploy/").isNotEmpty();
        for (Map.Entry<Path, List<JsonNode>> file : tree.documents().entrySet()) {
            assertThat(file.getValue()).as("documents of %s", file.getKey()).isNotEmpty();
            for (JsonNode doc : file.getValue()) {
                assertThat(doc.path("apiVersion").asText())
                        .as("apiVersion in %s", file.getKey())
                        .isNotBlank();
                assertThat(doc.path("kind").asText())
                        .as("kind in %s", file.getKey())
                        .isNotBlank();
                if (!doc.path("kind").asText().equals("Kustomization")) {
                    assertThat(doc.path("metadata").path("name").asText())
                            .as("metadata.name in %s", file.getKey())
                            .isNotBlank();
                }
            }
        }
    }

    @Test
    void everyYamlFileIsAKustomizationOrUsedByOne() {
        Set<Path> used = new HashSet<>();
        for (Path dir : tree.kustomizationDirs()) {
            used.add(dir.resolve(DeployTree.KUSTOMIZATION));
            used.addAll(tree.resourceEntries(dir));
            for (JsonNode patch : tree.patches(dir)) {
                if (patch.has("path")) {
                    used.add(dir.resolve(patch.path("path").asText()).normalize());
                }
            }
        }
        assertThat(tree.documents().keySet())
                .as("YAML files that no kustomization lists (stale or forgotten manifests)")
                .allSatisfy(file -> assertThat(used).contains(file));
    }

    @Test
    void manifestsLeaveTheNamespaceToKustomize() {
        for (DeployTree.Resource r : tree.resources(tree.base())) {
            assertThat(r.node().path("metadata").has("namespace"))
                    .as("%s sets metadata.namespace; base/kustomization.yaml sets it for all", r)
                    .isFalse();
        }
        assertThat(tree.kustomization(tree.base()).path("namespace").asText()).isEqualTo("kotune");
        assertThat(tree.baseResource("Namespace", "kotune"))
                .as("the kotune Namespace")
                .isPresent();
    }
}
