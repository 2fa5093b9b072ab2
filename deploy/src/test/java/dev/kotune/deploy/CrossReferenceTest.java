package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * References between rendered objects resolve: the Ingress reaches a real Service port that forwards to a real
 * container port, and every ConfigMap and Secret key a pod reads exists. Secrets: dev and dev-plain generate the ones
 * the pods read; prod and gpu read the same names and keys, which the platform creates (deploy/README.md lists them),
 * and credentials never come from a ConfigMap or a literal.
 */
class CrossReferenceTest {

    /** A name that says it holds a credential (whole words: TOKENIZER is not TOKEN). */
    private static final String CREDENTIAL = "(^|[_.-])(PASSWORD|SECRET|TOKEN|API_?KEYS?|CREDENTIALS?)([_.-]|$)";

    /** One (kind, name, key) that a pod reads; key null when it reads the whole object (envFrom, a full volume). */
    record Ref(String kind, String name, String key, boolean optional, String reader) {}

    static List<Ref> refs(DeployTree.Resource owner) {
        List<Ref> refs = new ArrayList<>();
        String reader = owner.kind() + "/" + owner.name();
        for (JsonNode c : Workloads.containers(owner)) {
            for (JsonNode from : c.path("envFrom")) {
                for (String[] kind : new String[][] {{"configMapRef", "ConfigMap"}, {"secretRef", "Secret"}}) {
                    if (from.has(kind[0])) {
                        JsonNode ref = from.path(kind[0]);
                        refs.add(new Ref(
                                kind[1],
                                ref.path("name").asText(),
                                null,
                                ref.path("optional").asBoolean(false),
                                reader));
                    }
                }
            }
            for (JsonNode env : c.path("env")) {
                for (String[] kind : new String[][] {{"configMapKeyRef", "ConfigMap"}, {"secretKeyRef", "Secret"}}) {
                    JsonNode ref = env.path("valueFrom").path(kind[0]);
                    if (!ref.isMissingNode()) {
                        refs.add(new Ref(
                                kind[1],
                                ref.path("name").asText(),
                                ref.path("key").asText(),
                                ref.path("optional").asBoolean(false),
                                reader));
                    }
                }
            }
        }
        for (JsonNode v : Workloads.podSpec(owner).path("volumes")) {
            addVolumeRefs(v.path("configMap"), "ConfigMap", "name", reader, refs);
            addVolumeRefs(v.path("secret"), "Secret", "secretName", reader, refs);
            for (JsonNode source : v.path("projected").path("sources")) {
                addVolumeRefs(source.path("configMap"), "ConfigMap", "name", reader, refs);
                addVolumeRefs(source.path("secret"), "Secret", "name", reader, refs);
            }
        }
        return refs;
    }

    private static void addVolumeRefs(JsonNode source, String kind, String nameField, String reader, List<Ref> refs) {
        if (source.isMissingNode()) {
            return;
        }
        String name = source.path(nameField).asText();
        boolean optional = source.path("optional").asBoolean(false);
        if (source.path("items").isEmpty()) {
            refs.add(new Ref(kind, name, null, optional, reader));
        }
        for (JsonNode item : source.path("items")) {
            refs.add(new Ref(kind, name, item.path("key").asText(), optional, reader));
        }
    }

    private static boolean resolves(String overlay, Ref ref) {
        return Rendered.ofKind(overlay, ref.kind()).stream()
                .filter(r -> r.name().equals(ref.name()))
                .anyMatch(r -> ref.key() == null
                        || r.node().path("data").has(ref.key())
                        || r.node().path("stringData").has(ref.key()));
    }

    private static List<Ref> allRefs(String overlay) {
        List<Ref> refs = new ArrayList<>();
        Rendered.podOwners(overlay).forEach(o -> refs.addAll(refs(o)));
        return refs;
    }

    @TestFactory
    Stream<DynamicTest> everyConfigMapKeyAPodReadsExists() {
        return Rendered.OVERLAYS.stream()
                .map(overlay -> dynamicTest(overlay, () -> {
                    for (Ref ref : allRefs(overlay)) {
                        if (ref.kind().equals("ConfigMap") && !ref.optional()) {
                            assertThat(resolves(overlay, ref))
                                    .as("%s in %s", ref, overlay)
                                    .isTrue();
                        }
                    }
                }));
    }

    @Test
    void devGeneratesEverySecretKeyItsPodsReadAndProdReadsTheSameOnesFromThePlatform() throws Exception {
        Set<String> devSecrets = new TreeSet<>();
        for (String overlay : List.of("dev", "dev-plain")) {
            Set<String> read = new TreeSet<>();
            for (Ref ref : allRefs(overlay)) {
                if (ref.kind().equals("Secret")) {
                    assertThat(resolves(overlay, ref))
                            .as("%s in %s", ref, overlay)
                            .isTrue();
                    read.add(ref.name() + "/" + ref.key());
                }
            }
            assertThat(read).as("Secret keys read in %s", overlay).isNotEmpty();
            devSecrets.addAll(read);
        }
        String readme = Files.readString(DeployTree.get().deployDir().resolve("README.md"));
        for (String overlay : List.of("prod", "gpu")) {
            Set<String> read = new TreeSet<>();
            for (Ref ref : allRefs(overlay)) {
                if (ref.kind().equals("Secret")) {
                    read.add(ref.name() + "/" + ref.key());
                    assertThat(readme)
                            .as(
                                    "deploy/README.md tells the platform to create Secret %s with key %s",
                                    ref.name(), ref.key())
                            .contains(ref.name())
                            .contains(ref.key());
                }
            }
            assertThat(read).as("Secrets %s reads vs the dev contract", overlay).isEqualTo(devSecrets);
        }
        for (DeployTree.Resource ingress : Rendered.ofKind("prod", "Ingress")) {
            for (JsonNode tls : ingress.node().path("spec").path("tls")) {
                assertThat(readme)
                        .as("README names the TLS Secret")
                        .contains(tls.path("secretName").asText());
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> credentialsComeFromSecretVolumesNeverFromConfigMapsOrLiterals() {
        return Rendered.OVERLAYS.stream()
                .map(overlay -> dynamicTest(overlay, () -> {
                    for (DeployTree.Resource cm : Rendered.ofKind(overlay, "ConfigMap")) {
                        for (String key :
                                Workloads.stringMap(cm.node().path("data")).keySet()) {
                            assertThat(key.toUpperCase())
                                    .as("ConfigMap %s key %s looks like a credential", cm.name(), key)
                                    .doesNotContainPattern(CREDENTIAL);
                        }
                    }
                    DeployTree.Resource inference = Rendered.require(overlay, "Deployment", "inference-service");
                    JsonNode container = Workloads.mainContainer(inference);
                    Map<String, String> env = Workloads.literalEnv(container);
                    for (String var : List.of("KOTUNE_INFERENCE_API_KEYS_FILE", "KOTUNE_INFERENCE_ADMIN_KEYS_FILE")) {
                        String file = env.get(var);
                        assertThat(file)
                                .as("%s of inference-service in %s", var, overlay)
                                .isNotBlank();
                        String volume = null;
                        for (JsonNode m : container.path("volumeMounts")) {
                            if (file.startsWith(m.path("mountPath").asText() + "/")) {
                                volume = m.path("name").asText();
                                assertThat(m.path("readOnly").asBoolean(false)).isTrue();
                            }
                        }
                        assertThat(volume)
                                .as("%s=%s lies on a mounted volume", var, file)
                                .isNotNull();
                        JsonNode source = null;
                        for (JsonNode v : Workloads.podSpec(inference).path("volumes")) {
                            if (v.path("name").asText().equals(volume)) {
                                source = v;
                            }
                        }
                        assertThat(source.has("secret"))
                                .as("%s is read from a Secret volume", var)
                                .isTrue();
                        String item = file.substring(file.lastIndexOf('/') + 1);
                        assertThat(source.path("secret").path("items").findValuesAsText("path"))
                                .as("the Secret volume holds %s", item)
                                .contains(item);
                    }
                    for (DeployTree.Resource owner : Rendered.podOwners(overlay)) {
                        for (JsonNode c : Workloads.containers(owner)) {
                            for (Map.Entry<String, String> e :
                                    Workloads.literalEnv(c).entrySet()) {
                                if (e.getKey().endsWith("_FILE")) {
                                    continue; // a path; the keys files are checked above to lie on Secret volumes
                                }
                                assertThat(e.getKey())
                                        .as("a literal env value of %s looks like a credential", owner)
                                        .doesNotContainPattern(CREDENTIAL);
                            }
                        }
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> theIngressReachesARealServicePortThatForwardsToARealContainerPort() {
        return Rendered.OVERLAYS.stream()
                .map(overlay -> dynamicTest(overlay, () -> {
                    List<DeployTree.Resource> ingresses = Rendered.ofKind(overlay, "Ingress");
                    assertThat(ingresses).as("Ingresses in %s", overlay).isNotEmpty();
                    for (DeployTree.Resource ingress : ingresses) {
                        JsonNode spec = ingress.node().path("spec");
                        assertThat(spec.path("tls")).as("TLS of %s", ingress).isNotEmpty();
                        for (JsonNode tls : spec.path("tls")) {
                            assertThat(tls.path("secretName").asText()).isNotBlank();
                        }
                        List<JsonNode> backends = spec.findValues("backend");
                        assertThat(backends).isNotEmpty();
                        for (JsonNode backend : backends) {
                            String serviceName =
                                    backend.path("service").path("name").asText();
                            JsonNode port = backend.path("service").path("port");
                            DeployTree.Resource service = Rendered.require(overlay, "Service", serviceName);
                            JsonNode servicePort = null;
                            for (JsonNode p : service.node().path("spec").path("ports")) {
                                if (port.has("name")
                                        ? p.path("name")
                                                .asText()
                                                .equals(port.path("name").asText())
                                        : p.path("port").asInt()
                                                == port.path("number").asInt()) {
                                    servicePort = p;
                                }
                            }
                            assertThat(servicePort)
                                    .as("port %s of Service %s", port, serviceName)
                                    .isNotNull();
                            assertThat(servicePort.path("name").asText())
                                    .as("the Ingress exposes REST (http), not gRPC or metrics alone")
                                    .isEqualTo("http");
                            Map<String, String> selector = Workloads.stringMap(
                                    service.node().path("spec").path("selector"));
                            List<DeployTree.Resource> pods = Rendered.ofKind(overlay, "Deployment").stream()
                                    .filter(d ->
                                            Workloads.podLabels(d).entrySet().containsAll(selector.entrySet()))
                                    .toList();
                            assertThat(pods)
                                    .as("pods behind Service %s", serviceName)
                                    .hasSize(1);
                            assertThat(Workloads.namedPorts(Workloads.mainContainer(pods.get(0))))
                                    .containsKey(servicePort.path("targetPort").asText());
                        }
                    }
                }));
    }
}
