package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pods get their config, the shared KOTUNE_HOME volume, resources and a locked-down security context. */
class PodSpecsTest {

    private final DeployTree tree = DeployTree.get();

    private List<DeployTree.Resource> podOwners() {
        List<DeployTree.Resource> owners = new ArrayList<>();
        for (String kind : new String[] {"Deployment", "StatefulSet", "Job"}) {
            owners.addAll(tree.baseResources(kind));
        }
        return owners;
    }

    @Test
    void everyConfigMapReferenceNamesAnExistingConfigMapAndKey() {
        for (DeployTree.Resource owner : podOwners()) {
            for (JsonNode container : Workloads.containers(owner)) {
                for (JsonNode from : container.path("envFrom")) {
                    if (from.has("configMapRef")) {
                        tree.requireBaseResource(
                                "ConfigMap",
                                from.path("configMapRef").path("name").asText());
                    }
                }
                for (JsonNode env : container.path("env")) {
                    JsonNode ref = env.path("valueFrom").path("configMapKeyRef");
                    if (!ref.isMissingNode()) {
                        DeployTree.Resource cm = tree.requireBaseResource(
                                "ConfigMap", ref.path("name").asText());
                        assertThat(cm.node().path("data").has(ref.path("key").asText()))
                                .as(
                                        "%s reads key %s of %s",
                                        owner, ref.path("key").asText(), cm)
                                .isTrue();
                    }
                }
            }
        }
    }

    @Test
    void everyServiceMountsTheSharedKotuneHomeWhereKotuneHomeSaysAndOnlyTheTrainerWritesIt() {
        DeployTree.Resource pvc = tree.requireBaseResource("PersistentVolumeClaim", "kotune-home");
        assertThat(DeployTree.strings(pvc.node().path("spec").path("accessModes")))
                .containsExactly("ReadWriteMany");
        String kotuneHome = Workloads.stringMap(tree.requireBaseResource("ConfigMap", "kotune-config")
                        .node()
                        .path("data"))
                .get("KOTUNE_HOME");
        assertThat(kotuneHome).startsWith("/");
        for (String module : ServicePortsTest.SERVICE_MODULES) {
            DeployTree.Resource deployment = tree.requireBaseResource("Deployment", module);
            JsonNode container = Workloads.mainContainer(deployment);
            List<String> envFrom = new ArrayList<>();
            container
                    .path("envFrom")
                    .forEach(
                            f -> envFrom.add(f.path("configMapRef").path("name").asText()));
            assertThat(envFrom)
                    .as("%s takes its environment from kotune-config", module)
                    .containsExactly("kotune-config");
            String volume = null;
            for (JsonNode v : Workloads.podSpec(deployment).path("volumes")) {
                if (v.path("persistentVolumeClaim").path("claimName").asText().equals("kotune-home")) {
                    volume = v.path("name").asText();
                }
            }
            assertThat(volume)
                    .as("%s has a volume of claim kotune-home", module)
                    .isNotNull();
            JsonNode mount = null;
            for (JsonNode m : container.path("volumeMounts")) {
                if (m.path("name").asText().equals(volume)) {
                    mount = m;
                }
            }
            assertThat(mount).as("%s mounts kotune-home", module).isNotNull();
            assertThat(mount.path("mountPath").asText())
                    .as("%s mount path vs KOTUNE_HOME", module)
                    .isEqualTo(kotuneHome);
            assertThat(mount.path("readOnly").asBoolean(false))
                    .as("%s mounts KOTUNE_HOME read-only", module)
                    .isEqualTo(!module.equals("trainer-service"));
        }
    }

    @Test
    void everyPathUnderTheLocalDefaultHomeIsRedirectedIntoKotuneHome() {
        Map<String, String> config = Workloads.stringMap(
                tree.requireBaseResource("ConfigMap", "kotune-config").node().path("data"));
        String kotuneHome = config.get("KOTUNE_HOME");
        for (String module : ServicePortsTest.SERVICE_MODULES) {
            ServiceProperties props = ServiceProperties.of(tree.repoRoot(), module);
            Map<String, String> env = new LinkedHashMap<>(config);
            env.putAll(Workloads.literalEnv(Workloads.mainContainer(tree.requireBaseResource("Deployment", module))));
            for (String key : props.keys()) {
                String value = props.value(key).orElse("");
                if (!value.startsWith("./.kotune/home") && !value.startsWith(".kotune/home")) {
                    continue;
                }
                String name = ServiceProperties.envName(key);
                assertThat(env)
                        .as(
                                "%s=%s (in %s) would land on the pod's read-only root filesystem: set %s under"
                                        + " KOTUNE_HOME=%s",
                                key, value, props.file(), name, kotuneHome)
                        .containsKey(name);
                assertThat(env.get(name))
                        .as("%s of %s", name, module)
                        .satisfiesAnyOf(
                                v -> assertThat(v).isEqualTo(kotuneHome),
                                v -> assertThat(v).startsWith(kotuneHome + "/"));
            }
        }
    }

    @Test
    void everyContainerRequestsAndLimitsCpuAndMemory() {
        for (DeployTree.Resource owner : podOwners()) {
            for (JsonNode container : Workloads.containers(owner)) {
                JsonNode resources = container.path("resources");
                for (String resource : new String[] {"cpu", "memory"}) {
                    String request = resources.path("requests").path(resource).asText(null);
                    String limit = resources.path("limits").path(resource).asText(null);
                    assertThat(request).as("%s request of %s", resource, owner).isNotNull();
                    assertThat(limit).as("%s limit of %s", resource, owner).isNotNull();
                    assertThat(Quantity.parse(request))
                            .as("%s request <= limit in %s", resource, owner)
                            .isLessThanOrEqualTo(Quantity.parse(limit));
                }
            }
        }
        JsonNode trainer = Workloads.mainContainer(tree.requireBaseResource("Deployment", "trainer-service"));
        assertThat(Quantity.parse(trainer.path("resources")
                        .path("requests")
                        .path("memory")
                        .asText()))
                .as("trainer memory request (125M-parameter GPT-2 training needs 4-6 GiB)")
                .isGreaterThanOrEqualTo(Quantity.parse("6Gi"));
    }

    @Test
    void everyPodRunsAsNonRootWithoutPrivilegeEscalation() {
        for (DeployTree.Resource owner : podOwners()) {
            JsonNode pod = Workloads.podSpec(owner).path("securityContext");
            assertThat(pod.path("runAsNonRoot").asBoolean(false))
                    .as("runAsNonRoot of %s", owner)
                    .isTrue();
            assertThat(pod.path("runAsUser").asInt(0))
                    .as("runAsUser of %s", owner)
                    .isPositive();
            for (JsonNode container : Workloads.containers(owner)) {
                JsonNode sc = container.path("securityContext");
                assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true))
                        .as("%s", owner)
                        .isFalse();
                assertThat(DeployTree.strings(sc.path("capabilities").path("drop")))
                        .as("%s", owner)
                        .contains("ALL");
            }
        }
    }

    @Test
    void servicesRunOnAReadOnlyRootFilesystemWithAWritableTmp() {
        for (String module : ServicePortsTest.SERVICE_MODULES) {
            DeployTree.Resource deployment = tree.requireBaseResource("Deployment", module);
            JsonNode container = Workloads.mainContainer(deployment);
            assertThat(Workloads.podSpec(deployment)
                            .path("securityContext")
                            .path("runAsUser")
                            .asInt())
                    .as("%s runs as the image's uid", module)
                    .isEqualTo(185);
            assertThat(container
                            .path("securityContext")
                            .path("readOnlyRootFilesystem")
                            .asBoolean(false))
                    .as("%s", module)
                    .isTrue();
            assertThat(container.path("volumeMounts").findValuesAsText("mountPath"))
                    .as("%s", module)
                    .contains("/tmp");
            Map<String, String> config = Workloads.stringMap(tree.requireBaseResource("ConfigMap", "kotune-config")
                    .node()
                    .path("data"));
            assertThat(config.get("DJL_CACHE_DIR"))
                    .as("DJL unpacks natives on the writable /tmp")
                    .startsWith("/tmp/");
            assertThat(config.get("HF_HOME"))
                    .as("the HF hub cache is on the writable /tmp")
                    .startsWith("/tmp/");
        }
    }
}
