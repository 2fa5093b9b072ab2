package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Kustomizations reference files that exist, and overlays patch and retag things their base really has. */
class KustomizationsTest {

    private final DeployTree tree = DeployTree.get();

    @Test
    void theBaseTheTwoKafkasAndExactlyTheKnownOverlaysExist() {
        List<Path> overlays = tree.kustomizationDirs().stream()
                .filter(d -> d.getParent().equals(tree.deployDir().resolve("overlays")))
                .collect(Collectors.toList());
        assertThat(overlays)
                .as("overlays (Rendered.OVERLAYS lists the ones the tests render)")
                .containsExactlyInAnyOrderElementsOf(
                        Rendered.OVERLAYS.stream().map(tree::overlay).toList());
        assertThat(tree.kustomizationDirs())
                .contains(
                        tree.base(),
                        tree.deployDir().resolve("kafka/strimzi"),
                        tree.deployDir().resolve("kafka/plain"));
    }

    @Test
    void onlyDevPlainRunsThePlainKafkaAndEveryOtherOverlayRunsStrimzi() {
        for (String overlay : Rendered.OVERLAYS) {
            List<Path> entries = allResourceDirs(tree.overlay(overlay));
            if (overlay.equals("dev-plain")) {
                assertThat(entries).contains(tree.deployDir().resolve("kafka/plain"));
                assertThat(entries).doesNotContain(tree.deployDir().resolve("kafka/strimzi"));
            } else {
                assertThat(entries).as(overlay).contains(tree.deployDir().resolve("kafka/strimzi"));
                assertThat(entries).as(overlay).doesNotContain(tree.deployDir().resolve("kafka/plain"));
            }
        }
    }

    /** The directories an overlay includes, directly or through other kustomizations. */
    private List<Path> allResourceDirs(Path dir) {
        List<Path> dirs = new ArrayList<>();
        for (Path entry : tree.resourceEntries(dir)) {
            if (Files.isDirectory(entry)) {
                dirs.add(entry);
                dirs.addAll(allResourceDirs(entry));
            }
        }
        return dirs;
    }

    @Test
    void everyResourceEntryIsAnExistingFileOrKustomizationDirectory() {
        for (Path dir : tree.kustomizationDirs()) {
            for (Path entry : tree.resourceEntries(dir)) {
                assertThat(Files.isRegularFile(entry) || Files.isRegularFile(entry.resolve(DeployTree.KUSTOMIZATION)))
                        .as(
                                "%s lists %s: no such file, nor a directory with a %s",
                                dir.resolve(DeployTree.KUSTOMIZATION), entry, DeployTree.KUSTOMIZATION)
                        .isTrue();
            }
        }
    }

    @Test
    void everyPatchFileExists() {
        for (Path dir : tree.kustomizationDirs()) {
            for (JsonNode patch : tree.patches(dir)) {
                if (patch.has("path")) {
                    assertThat(dir.resolve(patch.path("path").asText()))
                            .as("patch of %s", dir)
                            .isRegularFile();
                }
            }
        }
    }

    @Test
    void everyOverlayPatchTargetsAResourceItsBaseHas() {
        for (String name : Rendered.OVERLAYS) {
            Path overlay = tree.overlay(name);
            List<DeployTree.Resource> resources = tree.resources(overlay);
            for (JsonNode patch : tree.patches(overlay)) {
                for (String[] target : targets(overlay, patch)) {
                    assertThat(resources)
                            .as("%s patches %s/%s, which its resources do not contain", overlay, target[0], target[1])
                            .anyMatch(r -> r.kind().equals(target[0])
                                    && (target[1].isEmpty() || r.name().equals(target[1])));
                }
            }
        }
    }

    @Test
    void gpuOverlayPatchesTheInferenceDeploymentOfTheBase() {
        tree.requireBaseResource("Deployment", "inference-service");
        assertThat(tree.patches(tree.overlay("gpu")))
                .as("patches of overlays/gpu")
                .anySatisfy(patch -> assertThat(targets(tree.overlay("gpu"), patch))
                        .anyMatch(t -> t[0].equals("Deployment") && t[1].equals("inference-service")));
    }

    @Test
    void everyImageOverrideNamesAnImageTheBaseRuns() {
        Set<String> baseImages = tree.resources(tree.base()).stream()
                .filter(r -> r.node().path("spec").path("template").path("spec").has("containers"))
                .flatMap(r -> Workloads.containers(r).stream())
                .map(c -> c.path("image").asText().replaceFirst(":[^:/]+$", ""))
                .collect(Collectors.toSet());
        for (Path dir : tree.kustomizationDirs()) {
            for (JsonNode image : tree.kustomization(dir).path("images")) {
                assertThat(baseImages)
                        .as("images: entry of %s", dir)
                        .contains(image.path("name").asText());
            }
        }
    }

    /** The (kind, name) pairs a patch applies to: its explicit target and/or the object in its file. */
    private List<String[]> targets(Path overlay, JsonNode patch) {
        List<String[]> targets = new ArrayList<>();
        if (patch.has("target")) {
            JsonNode t = patch.path("target");
            assertThat(t.path("kind").asText())
                    .as("target.kind of a patch in %s", overlay)
                    .isNotBlank();
            // No name: the patch applies to every object of the kind.
            targets.add(new String[] {t.path("kind").asText(), t.path("name").asText()});
        }
        if (patch.has("path")) {
            for (JsonNode doc :
                    DeployTree.parse(overlay.resolve(patch.path("path").asText()))) {
                String[] own = {
                    doc.path("kind").asText(), doc.path("metadata").path("name").asText()
                };
                if (patch.has("target")) {
                    assertThat(own)
                            .as(
                                    "object in %s vs its patch target",
                                    patch.path("path").asText())
                            .containsExactly(targets.get(0));
                }
                targets.add(own);
            }
        }
        if (patch.has("patch")) {
            assertThat(patch.has("target"))
                    .as("an inline patch in %s names its target", overlay)
                    .isTrue();
        }
        assertThat(targets).as("a patch in %s without target or path", overlay).isNotEmpty();
        return targets;
    }
}
