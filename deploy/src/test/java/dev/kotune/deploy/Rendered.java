package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * The overlays as {@code kubectl kustomize} renders them (offline, no cluster), each rendered once per JVM. Without
 * kubectl on PATH a test that needs them is reported as skipped, with a loud note in the build log, never as passed;
 * in CI (env CI=true) a missing kubectl fails instead. Thread-safe.
 */
final class Rendered {

    /** Every overlay under deploy/overlays; {@link KustomizationsTest} checks that the directory holds no other. */
    static final List<String> OVERLAYS = List.of("dev", "dev-plain", "prod", "gpu");

    private static final Map<String, List<JsonNode>> CACHE = new ConcurrentHashMap<>();
    private static final AtomicBoolean NOTE_PRINTED = new AtomicBoolean();

    private Rendered() {}

    static Path kubectlOrSkip() {
        Optional<Path> kubectl = Kubectl.onPath();
        if (kubectl.isEmpty()) {
            boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
            String note = String.join(
                    System.lineSeparator(),
                    "",
                    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
                    "!!  kotune deploy: kubectl is NOT on PATH - the tests of the RENDERED overlays DID NOT RUN",
                    "!!  (strict schema validation of the rendered output, pod security, network policies, cross",
                    "!!  references). The files were validated one by one only. Install kubectl (Debian:",
                    "!!  kubernetes-client) and re-run `./mvnw -pl deploy test`.",
                    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
                    "");
            if (NOTE_PRINTED.compareAndSet(false, true)) {
                System.out.println(note);
            }
            if (ci) {
                throw new AssertionError("CI=true and kubectl is not on PATH: the rendered overlays cannot be checked");
            }
        }
        Assumptions.assumeTrue(
                kubectl.isPresent(),
                "kubectl is not on PATH: the rendered-overlay checks did not run (reported as skipped)");
        return kubectl.get();
    }

    /** Every object of {@code overlay} as rendered; fails when kustomize fails. */
    static List<JsonNode> overlay(String overlay) {
        Path kubectl = kubectlOrSkip();
        return CACHE.computeIfAbsent(overlay, name -> {
            try {
                Kubectl.Result result =
                        Kubectl.kustomize(kubectl, DeployTree.get().overlay(name));
                assertThat(result.exitCode())
                        .as("kubectl kustomize deploy/overlays/%s failed:%n%s", name, result.stderr())
                        .isZero();
                List<JsonNode> docs = DeployTree.parse(result.stdout());
                assertThat(docs).as("rendered overlays/%s", name).isNotEmpty();
                return List.copyOf(docs);
            } catch (Exception e) {
                throw new AssertionError("rendering overlays/" + name + ": " + e, e);
            }
        });
    }

    static List<DeployTree.Resource> resources(String overlay) {
        Path file = DeployTree.get().overlay(overlay).resolve("(rendered)");
        return overlay(overlay).stream()
                .map(doc -> new DeployTree.Resource(file, doc))
                .collect(Collectors.toList());
    }

    static List<DeployTree.Resource> ofKind(String overlay, String kind) {
        return resources(overlay).stream().filter(r -> r.kind().equals(kind)).collect(Collectors.toList());
    }

    static DeployTree.Resource require(String overlay, String kind, String name) {
        return ofKind(overlay, kind).stream()
                .filter(r -> r.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("overlays/" + overlay + " renders no " + kind + " " + name));
    }

    /** The objects that carry a pod template (Deployment, StatefulSet, Job, DaemonSet, ...). */
    static List<DeployTree.Resource> podOwners(String overlay) {
        List<DeployTree.Resource> owners = new ArrayList<>();
        for (DeployTree.Resource r : resources(overlay)) {
            if (r.node().path("spec").path("template").path("spec").has("containers")) {
                owners.add(r);
            }
        }
        return owners;
    }
}
