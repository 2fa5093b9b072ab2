package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every pod of every rendered overlay is locked down: non-root, read-only root filesystem with a writable emptyDir
 * {@code /tmp}, no privilege escalation, every capability dropped, the RuntimeDefault seccomp profile, no host
 * namespaces or host paths, no service-account token, requests and limits on CPU and memory. The test walks every
 * object that carries a pod template, so a new workload without these settings fails, and the pods that Strimzi makes
 * from the Kafka and KafkaNodePool templates too.
 */
class PodSecurityTest {

    /** Problems of one pod spec; empty when it is locked down. */
    static List<String> violations(JsonNode pod, String where) {
        List<String> problems = new ArrayList<>();
        JsonNode podSc = pod.path("securityContext");
        for (String host : new String[] {"hostNetwork", "hostPID", "hostIPC"}) {
            if (pod.path(host).asBoolean(false)) {
                problems.add(where + ": " + host);
            }
        }
        if (pod.path("automountServiceAccountToken").asBoolean(true)) {
            problems.add(where + ": automountServiceAccountToken is not false");
        }
        if (podSc.path("runAsUser").isInt() && podSc.path("runAsUser").asInt() == 0) {
            problems.add(where + ": runAsUser 0");
        }
        Set<String> emptyDirs = new HashSet<>();
        for (JsonNode v : pod.path("volumes")) {
            if (v.has("hostPath")) {
                problems.add(where + ": hostPath volume " + v.path("name").asText());
            }
            if (v.has("emptyDir")) {
                emptyDirs.add(v.path("name").asText());
            }
        }
        List<JsonNode> containers = new ArrayList<>();
        pod.path("initContainers").forEach(containers::add);
        int inits = containers.size();
        pod.path("containers").forEach(containers::add);
        if (containers.size() == inits) {
            problems.add(where + ": no containers");
        }
        for (int i = 0; i < containers.size(); i++) {
            JsonNode c = containers.get(i);
            String at = where + " container " + c.path("name").asText();
            JsonNode sc = c.path("securityContext");
            if (!effective(sc, podSc, "runAsNonRoot").asBoolean(false)) {
                problems.add(at + ": runAsNonRoot is not true");
            }
            if (effective(sc, podSc, "runAsUser").isInt()
                    && effective(sc, podSc, "runAsUser").asInt() == 0) {
                problems.add(at + ": runAsUser 0");
            }
            if (sc.path("privileged").asBoolean(false)) {
                problems.add(at + ": privileged");
            }
            if (sc.path("allowPrivilegeEscalation").asBoolean(true)) {
                problems.add(at + ": allowPrivilegeEscalation is not false");
            }
            if (!DeployTree.strings(sc.path("capabilities").path("drop")).contains("ALL")) {
                problems.add(at + ": capabilities.drop lacks ALL");
            }
            if (sc.path("capabilities").path("add").size() > 0) {
                problems.add(
                        at + ": adds capabilities " + sc.path("capabilities").path("add"));
            }
            if (!sc.path("readOnlyRootFilesystem").asBoolean(false)) {
                problems.add(at + ": readOnlyRootFilesystem is not true");
            }
            if (!effective(sc, podSc, "seccompProfile").path("type").asText().equals("RuntimeDefault")) {
                problems.add(at + ": seccompProfile is not RuntimeDefault");
            }
            for (String kind : new String[] {"requests", "limits"}) {
                for (String resource : new String[] {"cpu", "memory"}) {
                    if (!c.path("resources").path(kind).has(resource)) {
                        problems.add(at + ": no " + resource + " " + kind);
                    }
                }
            }
            if (i >= inits) {
                boolean writableTmp = false;
                for (JsonNode m : c.path("volumeMounts")) {
                    if (m.path("mountPath").asText().equals("/tmp")
                            && emptyDirs.contains(m.path("name").asText())
                            && !m.path("readOnly").asBoolean(false)) {
                        writableTmp = true;
                    }
                }
                if (!writableTmp) {
                    problems.add(at + ": no writable emptyDir at /tmp (the root filesystem is read-only)");
                }
            }
        }
        return problems;
    }

    /** The container's setting, else the pod's. */
    private static JsonNode effective(JsonNode containerSc, JsonNode podSc, String field) {
        return containerSc.has(field) ? containerSc.path(field) : podSc.path(field);
    }

    @TestFactory
    Stream<DynamicTest> everyPodTemplateOfEveryOverlayIsLockedDown() {
        return Rendered.OVERLAYS.stream()
                .map(overlay -> dynamicTest(overlay, () -> {
                    List<DeployTree.Resource> owners = Rendered.podOwners(overlay);
                    assertThat(owners).as("pod templates in %s", overlay).hasSizeGreaterThanOrEqualTo(3);
                    List<String> problems = new ArrayList<>();
                    for (DeployTree.Resource owner : owners) {
                        problems.addAll(violations(Workloads.podSpec(owner), owner.kind() + "/" + owner.name()));
                    }
                    assertThat(problems)
                            .as("pod security in overlays/%s", overlay)
                            .isEmpty();
                }));
    }

    @TestFactory
    Stream<DynamicTest> theStrimziPodsAreLockedDownThroughTheirTemplates() {
        return Rendered.OVERLAYS.stream()
                .filter(o -> !o.equals("dev-plain"))
                .map(overlay -> dynamicTest(overlay, () -> {
                    JsonNode kafka =
                            Rendered.ofKind(overlay, "Kafka").get(0).node().path("spec");
                    JsonNode pool = Rendered.ofKind(overlay, "KafkaNodePool")
                            .get(0)
                            .node()
                            .path("spec");
                    assertStrimziTemplate(
                            pool.path("template").path("pod"),
                            pool.path("template").path("kafkaContainer"),
                            "KafkaNodePool in " + overlay);
                    assertStrimziTemplate(
                            pool.path("template").path("pod"),
                            pool.path("template").path("initContainer"),
                            "KafkaNodePool init container in " + overlay);
                    assertThat(pool.path("resources").path("limits").has("memory"))
                            .isTrue();
                    assertThat(pool.path("resources").path("requests").has("cpu"))
                            .isTrue();
                    JsonNode eo = kafka.path("entityOperator");
                    assertStrimziTemplate(
                            eo.path("template").path("pod"),
                            eo.path("template").path("topicOperatorContainer"),
                            "entity operator in " + overlay);
                    assertThat(eo.path("topicOperator")
                                    .path("resources")
                                    .path("limits")
                                    .has("memory"))
                            .isTrue();
                    assertThat(eo.has("userOperator"))
                            .as("no User Operator: its container would need the same template")
                            .isFalse();
                }));
    }

    private static void assertStrimziTemplate(JsonNode pod, JsonNode container, String what) {
        JsonNode podSc = pod.path("securityContext");
        JsonNode sc = container.path("securityContext");
        assertThat(podSc.path("runAsNonRoot").asBoolean(false))
                .as("runAsNonRoot of %s", what)
                .isTrue();
        assertThat(podSc.path("seccompProfile").path("type").asText()).as(what).isEqualTo("RuntimeDefault");
        assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).as(what).isFalse();
        assertThat(DeployTree.strings(sc.path("capabilities").path("drop")))
                .as(what)
                .contains("ALL");
        // Strimzi mounts its own emptyDir /tmp (strimzi-tmp) in every pod it makes.
        assertThat(sc.path("readOnlyRootFilesystem").asBoolean(false)).as(what).isTrue();
    }

    @Test
    void theCheckRejectsAPodWithoutAnyOfTheSettings() throws Exception {
        JsonNode bare = DeployTree.parse("""
                        containers:
                          - name: app
                            image: app:1
                        """).get(0);
        assertThat(violations(bare, "bare"))
                .anyMatch(p -> p.contains("runAsNonRoot"))
                .anyMatch(p -> p.contains("allowPrivilegeEscalation"))
                .anyMatch(p -> p.contains("capabilities.drop"))
                .anyMatch(p -> p.contains("readOnlyRootFilesystem"))
                .anyMatch(p -> p.contains("seccompProfile"))
                .anyMatch(p -> p.contains("no memory limits"))
                .anyMatch(p -> p.contains("/tmp"))
                .anyMatch(p -> p.contains("automountServiceAccountToken"));
    }

    @Test
    void theCheckAcceptsALockedDownPodAndCatchesOneWeakenedSetting() throws Exception {
        String pod = """
                automountServiceAccountToken: false
                securityContext:
                  runAsNonRoot: true
                  runAsUser: 185
                  seccompProfile:
                    type: RuntimeDefault
                containers:
                  - name: app
                    image: app:1
                    resources:
                      requests: {cpu: 100m, memory: 64Mi}
                      limits: {cpu: 200m, memory: 128Mi}
                    securityContext:
                      allowPrivilegeEscalation: false
                      capabilities:
                        drop: [ALL]
                      readOnlyRootFilesystem: %s
                    volumeMounts:
                      - name: tmp
                        mountPath: /tmp
                volumes:
                  - name: tmp
                    emptyDir: {}
                """;
        assertThat(violations(DeployTree.parse(pod.formatted("true")).get(0), "ok"))
                .isEmpty();
        assertThat(violations(DeployTree.parse(pod.formatted("false")).get(0), "weak"))
                .containsExactly("weak container app: readOnlyRootFilesystem is not true");
    }
}
