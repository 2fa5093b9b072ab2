package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Who may talk to whom, evaluated from the rendered NetworkPolicies with Kubernetes' semantics: a pod that no policy
 * selects for a direction is open in that direction; one that some policy selects accepts only what some rule of those
 * policies allows; a connection needs both the source's egress and the destination's ingress. The pods are the
 * rendered workloads' pod templates, the pods Strimzi makes from the Kafka and KafkaNodePool resources (with the labels
 * Strimzi gives them), and stand-ins for the world outside namespace kotune: the ingress controller, Prometheus, a pod
 * in another namespace, the Strimzi cluster operator, cluster DNS and the Kubernetes API server.
 */
class NetworkPolicyTest {

    static final String NS = "kotune";

    /** A pod (or, with a null namespace, an address outside the cluster's pods, such as the API server). */
    record Pod(String name, String namespace, Map<String, String> labels, Map<String, Integer> namedPorts) {

        boolean external() {
            return namespace == null;
        }
    }

    /** One overlay's pods and policies. */
    static final class Network {
        final List<Pod> pods = new ArrayList<>();
        final List<JsonNode> policies = new ArrayList<>();

        Pod pod(String name) {
            return pods.stream()
                    .filter(p -> p.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no pod " + name + " in " + pods));
        }

        /** Whether {@code from} may open a connection to {@code to} on {@code port}/{@code protocol}. */
        boolean allowed(Pod from, Pod to, int port, String protocol) {
            return side(from, to, port, protocol, "Egress") && side(to, from, port, protocol, "Ingress");
        }

        /**
         * Whether the destination's ingress policies alone admit the connection. Each side must hold by itself: an
         * egress rule of the source must not be the only thing that keeps a pod out.
         */
        boolean admits(Pod from, Pod to, int port, String protocol) {
            return side(to, from, port, protocol, "Ingress");
        }

        /** The policies of {@code self}'s namespace that select it for {@code type}, and whether one admits peer. */
        private boolean side(Pod self, Pod peer, int port, String protocol, String type) {
            if (self.external() || !self.namespace().equals(NS)) {
                return true; // only namespace kotune has policies here
            }
            boolean selected = false;
            for (JsonNode policy : policies) {
                if (!types(policy).contains(type)
                        || !matches(policy.path("spec").path("podSelector"), self.labels())) {
                    continue;
                }
                selected = true;
                String rulesField = type.equals("Ingress") ? "ingress" : "egress";
                String peersField = type.equals("Ingress") ? "from" : "to";
                Pod destination = type.equals("Ingress") ? self : peer;
                for (JsonNode rule : policy.path("spec").path(rulesField)) {
                    if (peerMatches(rule.path(peersField), peer)
                            && portMatches(rule.path("ports"), destination, port, protocol)) {
                        return true;
                    }
                }
            }
            return !selected;
        }

        private static List<String> types(JsonNode policy) {
            List<String> types = DeployTree.strings(policy.path("spec").path("policyTypes"));
            if (types.isEmpty()) {
                types = new ArrayList<>(List.of("Ingress"));
                if (policy.path("spec").has("egress")) {
                    types.add("Egress");
                }
            }
            return types;
        }

        private static boolean peerMatches(JsonNode peers, Pod peer) {
            if (peers.isMissingNode() || peers.isEmpty()) {
                return true; // no from/to: every source or destination
            }
            for (JsonNode p : peers) {
                if (p.has("ipBlock")) {
                    // Only addresses outside the pod network are modelled as external (the API server).
                    if (peer.external()) {
                        return true;
                    }
                    continue;
                }
                if (peer.external()) {
                    continue;
                }
                boolean nsOk = p.has("namespaceSelector")
                        ? matches(p.path("namespaceSelector"), Map.of("kubernetes.io/metadata.name", peer.namespace()))
                        : peer.namespace().equals(NS);
                boolean podOk = !p.has("podSelector") || matches(p.path("podSelector"), peer.labels());
                if (nsOk && podOk) {
                    return true;
                }
            }
            return false;
        }

        private static boolean portMatches(JsonNode ports, Pod destination, int port, String protocol) {
            if (ports.isMissingNode() || ports.isEmpty()) {
                return true;
            }
            for (JsonNode p : ports) {
                if (!p.path("protocol").asText("TCP").equals(protocol)) {
                    continue;
                }
                JsonNode value = p.path("port");
                if (value.isMissingNode()) {
                    return true;
                }
                Integer resolved = value.isInt()
                        ? Integer.valueOf(value.asInt())
                        : destination.namedPorts().get(value.asText());
                if (resolved != null && resolved == port) {
                    return true;
                }
            }
            return false;
        }
    }

    /** matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) against {@code labels}. */
    static boolean matches(JsonNode selector, Map<String, String> labels) {
        for (Map.Entry<String, String> e :
                Workloads.stringMap(selector.path("matchLabels")).entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode expr : selector.path("matchExpressions")) {
            String value = labels.get(expr.path("key").asText());
            List<String> values = DeployTree.strings(expr.path("values"));
            boolean ok = switch (expr.path("operator").asText()) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown selector operator " + expr);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static Network network(String overlay) {
        Network net = new Network();
        for (DeployTree.Resource r : Rendered.resources(overlay)) {
            if (r.kind().equals("NetworkPolicy")) {
                net.policies.add(r.node());
            }
        }
        for (DeployTree.Resource owner : Rendered.podOwners(overlay)) {
            Map<String, Integer> ports = new LinkedHashMap<>();
            Workloads.podSpec(owner).path("containers").forEach(c -> ports.putAll(Workloads.namedPorts(c)));
            net.pods.add(new Pod(owner.name(), NS, Workloads.podLabels(owner), ports));
        }
        // The pods Strimzi makes: node-pool pods and the entity operator, with Strimzi's labels and the templates'.
        Optional<DeployTree.Resource> kafka =
                Rendered.ofKind(overlay, "Kafka").stream().findFirst();
        if (kafka.isPresent()) {
            String cluster = kafka.get().name();
            for (DeployTree.Resource pool : Rendered.ofKind(overlay, "KafkaNodePool")) {
                Map<String, String> labels = new LinkedHashMap<>(Workloads.stringMap(pool.node()
                        .path("spec")
                        .path("template")
                        .path("pod")
                        .path("metadata")
                        .path("labels")));
                labels.putAll(Map.of(
                        "strimzi.io/cluster",
                        cluster,
                        "strimzi.io/kind",
                        "Kafka",
                        "strimzi.io/name",
                        cluster + "-kafka",
                        "strimzi.io/pool-name",
                        pool.name(),
                        "strimzi.io/broker-role",
                        "true",
                        "strimzi.io/controller-role",
                        "true"));
                net.pods.add(new Pod("kafka-node", NS, labels, Map.of("tcp-ctrlplane", 9090, "tcp-replication", 9091)));
            }
            net.pods.add(new Pod(
                    "entity-operator",
                    NS,
                    Map.of(
                            "strimzi.io/cluster",
                            cluster,
                            "strimzi.io/kind",
                            "Kafka",
                            "strimzi.io/name",
                            cluster + "-entity-operator"),
                    Map.of()));
        }
        net.pods.add(new Pod(
                "ingress-controller",
                "ingress-nginx",
                Map.of("app.kubernetes.io/name", "ingress-nginx"),
                Map.of("https", 443)));
        net.pods.add(new Pod("prometheus", "monitoring", Map.of("app.kubernetes.io/name", "prometheus"), Map.of()));
        net.pods.add(new Pod("stranger", "default", Map.of("app", "curl"), Map.of()));
        net.pods.add(new Pod("strimzi-operator", "strimzi", Map.of("strimzi.io/kind", "cluster-operator"), Map.of()));
        net.pods.add(new Pod("kube-dns", "kube-system", Map.of("k8s-app", "kube-dns"), Map.of("dns", 53)));
        net.pods.add(new Pod("api-server", null, Map.of(), Map.of("https", 443)));
        return net;
    }

    private static Stream<DynamicTest> perOverlay(java.util.function.Consumer<String> check) {
        return Rendered.OVERLAYS.stream().map(overlay -> dynamicTest(overlay, () -> check.accept(overlay)));
    }

    @TestFactory
    Stream<DynamicTest> theNamespaceDeniesEverythingByDefault() {
        return perOverlay(overlay -> {
            assertThat(network(overlay).policies)
                    .as("a default-deny policy in %s", overlay)
                    .anySatisfy(p -> {
                        assertThat(p.path("spec").path("podSelector").isEmpty()).isTrue();
                        assertThat(DeployTree.strings(p.path("spec").path("policyTypes")))
                                .containsExactlyInAnyOrder("Ingress", "Egress");
                        assertThat(p.path("spec").has("ingress")).isFalse();
                        assertThat(p.path("spec").has("egress")).isFalse();
                    });
            Network net = network(overlay);
            Pod stranger = net.pod("stranger");
            for (Pod pod : net.pods) {
                if (NS.equals(pod.namespace())) {
                    for (int port : List.of(8080, 8081, 8082, 9081, 9090, 9091, 9092, 9093)) {
                        assertThat(net.allowed(stranger, pod, port, "TCP"))
                                .as("a pod of another namespace -> %s:%d in %s", pod.name(), port, overlay)
                                .isFalse();
                    }
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> onlyTheIngressControllerReachesInferenceAndOnlyItsRestAndGrpcPorts() {
        return perOverlay(overlay -> {
            Network net = network(overlay);
            Pod ingress = net.pod("ingress-controller");
            Pod inference = net.pod("inference-service");
            assertThat(net.allowed(ingress, inference, 8080, "TCP")).as("REST").isTrue();
            assertThat(net.allowed(ingress, inference, 9090, "TCP")).as("gRPC").isTrue();
            for (Pod pod : net.pods) {
                if (NS.equals(pod.namespace()) && pod != inference) {
                    for (int port : pod.namedPorts().values()) {
                        assertThat(net.allowed(ingress, pod, port, "TCP"))
                                .as("ingress controller -> %s:%d in %s", pod.name(), port, overlay)
                                .isFalse();
                    }
                }
                // Prometheus scrapes /q/metrics on the http port, which on inference also serves REST (Quarkus has
                // one application port; its management interface is off): it is the one other peer there.
                if (pod != ingress && !pod.name().equals("prometheus")) {
                    assertThat(net.allowed(pod, inference, 8080, "TCP"))
                            .as("%s -> inference REST (only through the ingress controller)", pod.name())
                            .isFalse();
                }
                if (pod != ingress) {
                    assertThat(net.admits(pod, inference, 9090, "TCP"))
                            .as("inference's ingress policies admit %s on gRPC", pod.name())
                            .isFalse();
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> theTokenizerIsReachableOnlyFromTheTrainer() {
        return perOverlay(overlay -> {
            Network net = network(overlay);
            Pod tokenizer = net.pod("tokenizer-service");
            assertThat(net.allowed(net.pod("trainer-service"), tokenizer, 9081, "TCP"))
                    .as("trainer -> tokenizer gRPC in %s", overlay)
                    .isTrue();
            for (Pod pod : net.pods) {
                if (!pod.name().equals("trainer-service")) {
                    assertThat(net.allowed(pod, tokenizer, 9081, "TCP"))
                            .as("%s -> tokenizer gRPC in %s", pod.name(), overlay)
                            .isFalse();
                    assertThat(net.admits(pod, tokenizer, 9081, "TCP"))
                            .as("tokenizer's ingress policies admit %s in %s", pod.name(), overlay)
                            .isFalse();
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> kafkaIsReachableOnlyFromTheServicesThatUseItAndStrimzisOwnPods() {
        return perOverlay(overlay -> {
            Network net = network(overlay);
            List<Pod> brokers = net.pods.stream()
                    .filter(p -> "true".equals(p.labels().get("kotune.dev/kafka-broker")))
                    .toList();
            assertThat(brokers).as("broker pods in %s", overlay).isNotEmpty();
            List<String> clients = new ArrayList<>(List.of("trainer-service", "inference-service"));
            if (overlay.equals("dev-plain")) {
                clients.add("kafka-topics");
            }
            for (Pod broker : brokers) {
                for (Pod pod : net.pods) {
                    boolean client = clients.contains(pod.name());
                    boolean strimzi = pod.labels().containsKey("strimzi.io/cluster");
                    boolean expected = client || strimzi || pod == broker && overlay.equals("dev-plain");
                    assertThat(net.allowed(pod, broker, 9092, "TCP"))
                            .as("%s -> Kafka :9092 in %s", pod.name(), overlay)
                            .isEqualTo(expected);
                    assertThat(net.admits(pod, broker, 9092, "TCP"))
                            .as("the brokers' ingress policies admit %s in %s", pod.name(), overlay)
                            .isEqualTo(expected);
                }
            }
            if (!overlay.equals("dev-plain")) {
                Pod node = net.pod("kafka-node");
                Pod entityOperator = net.pod("entity-operator");
                Pod operator = net.pod("strimzi-operator");
                assertThat(net.allowed(node, node, 9091, "TCP"))
                        .as("replication")
                        .isTrue();
                assertThat(net.allowed(node, node, 9090, "TCP"))
                        .as("KRaft controller")
                        .isTrue();
                assertThat(net.allowed(entityOperator, node, 9091, "TCP"))
                        .as("topic operator")
                        .isTrue();
                assertThat(net.allowed(operator, node, 9091, "TCP"))
                        .as("cluster operator")
                        .isTrue();
                assertThat(net.allowed(operator, node, 9090, "TCP"))
                        .as("cluster operator")
                        .isTrue();
                assertThat(net.allowed(entityOperator, net.pod("api-server"), 443, "TCP"))
                        .as("topic operator -> API server")
                        .isTrue();
                assertThat(net.allowed(node, net.pod("api-server"), 443, "TCP"))
                        .as("Kafka node's init container (rack) -> API server")
                        .isTrue();
                assertThat(net.allowed(net.pod("trainer-service"), node, 9091, "TCP"))
                        .as("a client on the replication port")
                        .isFalse();
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> everyPodResolvesNamesAndNoServiceLeavesTheCluster() {
        return perOverlay(overlay -> {
            Network net = network(overlay);
            Pod dns = net.pod("kube-dns");
            Pod api = net.pod("api-server");
            for (Pod pod : net.pods) {
                if (NS.equals(pod.namespace())) {
                    assertThat(net.allowed(pod, dns, 53, "UDP"))
                            .as("%s -> DNS", pod.name())
                            .isTrue();
                    assertThat(net.allowed(pod, dns, 53, "TCP"))
                            .as("%s -> DNS", pod.name())
                            .isTrue();
                    if (!pod.name().equals("entity-operator") && !pod.name().equals("kafka-node")) {
                        assertThat(net.allowed(pod, api, 443, "TCP"))
                                .as("%s -> outside the cluster in %s", pod.name(), overlay)
                                .isFalse();
                    }
                }
            }
            assertThat(net.allowed(net.pod("prometheus"), net.pod("trainer-service"), 8082, "TCP"))
                    .as("metrics scrape")
                    .isTrue();
        });
    }

    @TestFactory
    Stream<DynamicTest> everyPolicyAndEveryPeerSelectsRealPodsAndNamesRealPorts() {
        return perOverlay(overlay -> {
            Network net = network(overlay);
            List<Pod> local =
                    net.pods.stream().filter(p -> NS.equals(p.namespace())).toList();
            for (JsonNode policy : net.policies) {
                String name = policy.path("metadata").path("name").asText();
                List<Pod> selected = local.stream()
                        .filter(p -> matches(policy.path("spec").path("podSelector"), p.labels()))
                        .toList();
                assertThat(selected)
                        .as("pods that policy %s selects in %s", name, overlay)
                        .isNotEmpty();
                for (String field : new String[] {"ingress", "egress"}) {
                    for (JsonNode rule : policy.path("spec").path(field)) {
                        for (JsonNode peer : rule.path(field.equals("ingress") ? "from" : "to")) {
                            if (peer.has("podSelector") && !peer.has("namespaceSelector")) {
                                assertThat(local)
                                        .as("a peer of policy %s in %s selects no pod", name, overlay)
                                        .anyMatch(p -> matches(peer.path("podSelector"), p.labels()));
                            }
                        }
                        for (JsonNode port : rule.path("ports")) {
                            if (port.path("port").isTextual()) {
                                // Ingress: the selected pods' port; egress: the peers' (all peers here are local).
                                List<Pod> owners = field.equals("ingress")
                                        ? selected
                                        : local.stream()
                                                .filter(p -> {
                                                    for (JsonNode peer : rule.path("to")) {
                                                        if (matches(peer.path("podSelector"), p.labels())) {
                                                            return true;
                                                        }
                                                    }
                                                    return false;
                                                })
                                                .toList();
                                assertThat(owners)
                                        .as("pods named port %s of policy %s in %s", port.path("port"), name, overlay)
                                        .allMatch(p -> p.namedPorts()
                                                .containsKey(port.path("port").asText()));
                            }
                        }
                    }
                }
            }
        });
    }

    @Test
    void theEvaluatorDeniesWhatNoRuleAllows() throws Exception {
        Network net = new Network();
        Pod a = new Pod("a", NS, Map.of("app", "a"), Map.of("http", 8080));
        Pod b = new Pod("b", NS, Map.of("app", "b"), Map.of("http", 8080));
        net.pods.addAll(List.of(a, b));
        assertThat(net.allowed(a, b, 8080, "TCP")).as("no policy: open").isTrue();
        net.policies.add(DeployTree.parse("spec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n")
                .get(0));
        assertThat(net.allowed(a, b, 8080, "TCP")).as("default deny").isFalse();
        net.policies.add(DeployTree.parse("""
                        spec:
                          podSelector: {matchLabels: {app: b}}
                          policyTypes: [Ingress]
                          ingress:
                            - from: [{podSelector: {matchLabels: {app: a}}}]
                              ports: [{port: http}]
                        """).get(0));
        assertThat(net.allowed(a, b, 8080, "TCP"))
                .as("ingress allowed, egress still denied")
                .isFalse();
        net.policies.add(DeployTree.parse("""
                        spec:
                          podSelector: {matchLabels: {app: a}}
                          policyTypes: [Egress]
                          egress:
                            - to: [{podSelector: {matchLabels: {app: b}}}]
                              ports: [{port: 8080, protocol: TCP}]
                        """).get(0));
        assertThat(net.allowed(a, b, 8080, "TCP")).isTrue();
        assertThat(net.allowed(a, b, 8081, "TCP")).as("another port").isFalse();
        assertThat(net.allowed(a, b, 8080, "UDP")).as("another protocol").isFalse();
        assertThat(net.allowed(b, a, 8080, "TCP")).as("the other direction").isFalse();
    }
}
