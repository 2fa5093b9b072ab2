package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every manifest is valid against the typed Kubernetes and Strimzi models, unknown fields failing ({@link
 * StrictModel}): each file as written (always, kubectl or not; overlay patches are partial objects of their kind), and
 * every object of every rendered overlay. The negative tests show that a misspelled field, a mistyped scalar or an
 * unknown kind does fail.
 */
class SchemaValidationTest {

    private final DeployTree tree = DeployTree.get();

    @Test
    void everyManifestFileUnderDeployIsValidAgainstItsTypedModel() {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<Path, List<JsonNode>> file : tree.documents().entrySet()) {
            for (JsonNode doc : file.getValue()) {
                if (doc.path("kind").asText().equals("Kustomization")) {
                    continue;
                }
                checked++;
                for (String problem : StrictModel.violations(doc)) {
                    problems.add(tree.deployDir().relativize(file.getKey()) + ": " + problem);
                }
            }
        }
        assertThat(checked).as("manifests checked").isGreaterThan(20);
        assertThat(problems).as("schema violations").isEmpty();
    }

    @TestFactory
    Stream<DynamicTest> everyRenderedObjectOfEveryOverlayIsValidAgainstItsTypedModel() {
        return Rendered.OVERLAYS.stream()
                .map(overlay -> dynamicTest(overlay, () -> {
                    List<String> problems = new ArrayList<>();
                    for (JsonNode doc : Rendered.overlay(overlay)) {
                        for (String problem : StrictModel.violations(doc)) {
                            problems.add(doc.path("kind").asText() + "/"
                                    + doc.path("metadata").path("name").asText() + ": " + problem);
                        }
                    }
                    assertThat(problems)
                            .as("schema violations in overlays/%s", overlay)
                            .isEmpty();
                }));
    }

    @Test
    void aValidDeploymentPasses() throws Exception {
        assertThat(StrictModel.violations(one(deployment("readinessProbe", "failureThreshold: 3"))))
                .isEmpty();
    }

    @Test
    void aMisspelledKubernetesFieldFails() throws Exception {
        assertThat(StrictModel.violations(one(deployment("readinessProbe", "failureTreshold: 3"))))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("failureTreshold")
                .contains("readinessProbe");
    }

    @Test
    void aMistypedScalarFails() throws Exception {
        assertThat(StrictModel.violations(one(deployment("readinessProbe", "failureThreshold: \"3\""))))
                .isNotEmpty();
        assertThat(StrictModel.violations(one("""
                        apiVersion: v1
                        kind: ConfigMap
                        metadata:
                          name: c
                        data:
                          PORT: 8080
                        """)))
                .as("a number where the API wants a string")
                .isNotEmpty();
    }

    @Test
    void aMisspelledStrimziFieldFails() throws Exception {
        String topic = """
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata:
                  name: t
                  labels:
                    strimzi.io/cluster: kotune
                spec:
                  %s: 3
                  replicas: 1
                """;
        assertThat(StrictModel.violations(one(topic.formatted("partitions")))).isEmpty();
        assertThat(StrictModel.violations(one(topic.formatted("partitons"))))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("partitons");
    }

    @Test
    void anUnknownStrimziEnumValueFails() throws Exception {
        String pool = """
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaNodePool
                metadata:
                  name: p
                spec:
                  replicas: 1
                  roles: [%s]
                  storage:
                    type: ephemeral
                """;
        assertThat(StrictModel.violations(one(pool.formatted("broker")))).isEmpty();
        assertThat(StrictModel.violations(one(pool.formatted("borker")))).isNotEmpty();
    }

    @Test
    void anUnknownKindOrApiVersionFails() throws Exception {
        assertThat(StrictModel.violations(one("apiVersion: apps/v1beta1\nkind: Deployment\nmetadata:\n  name: x\n")))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("no typed model for apps/v1beta1/Deployment");
    }

    private static JsonNode one(String yaml) throws Exception {
        return DeployTree.parse(yaml).get(0);
    }

    /** A small Deployment with one extra line in the given probe of its container. */
    private static String deployment(String probe, String line) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: d
                spec:
                  selector:
                    matchLabels:
                      app: d
                  template:
                    metadata:
                      labels:
                        app: d
                    spec:
                      containers:
                        - name: d
                          image: d:1
                          %s:
                            httpGet:
                              path: /q/health/ready
                              port: 8080
                            %s
                """.formatted(probe, line);
    }
}
