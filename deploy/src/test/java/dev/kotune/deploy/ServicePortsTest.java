package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Each service's Deployment, probes and Dockerfile repeat the ports of its {@code application.properties}: HTTP
 * ({@code quarkus.http.port}, container port {@code http}) and, for a gRPC server, {@code quarkus.grpc.server.port}
 * (container port {@code grpc}). A Deployment is named after its service module's directory.
 */
class ServicePortsTest {

    static final List<String> SERVICE_MODULES = List.of("tokenizer-service", "trainer-service", "inference-service");

    private static final Pattern EXPOSE = Pattern.compile("(?m)^\\s*EXPOSE\\s+(.+)$");

    private final DeployTree tree = DeployTree.get();

    @Test
    void theBaseDeploysExactlyTheThreeServices() {
        assertThat(tree.baseResources("Deployment").stream().map(DeployTree.Resource::name))
                .containsExactlyInAnyOrderElementsOf(SERVICE_MODULES);
    }

    @TestFactory
    Stream<DynamicTest> containerPortsEqualTheServicesApplicationProperties() {
        return perService((module, deployment) -> {
            ServiceProperties props = ServiceProperties.of(tree.repoRoot(), module);
            assertThat(Workloads.namedPorts(Workloads.mainContainer(deployment)))
                    .as("container ports of Deployment %s vs %s", module, props.file())
                    .containsExactlyEntriesOf(expectedPorts(props));
        });
    }

    @TestFactory
    Stream<DynamicTest> probesUseQuarkusHealthEndpointsOnTheHttpPort() {
        return perService((module, deployment) -> {
            ServiceProperties props = ServiceProperties.of(tree.repoRoot(), module);
            assertThat(props.value("quarkus.management.enabled").orElse("false"))
                    .as(
                            "%s enables the management interface, which moves /q/health to its own port;"
                                    + " the probes here use the http port",
                            props.file())
                    .isEqualTo("false");
            assertThat(props.value("quarkus.http.non-application-root-path").orElse("q"))
                    .as("%s moves the non-application root away from /q", props.file())
                    .isIn("q", "/q");
            JsonNode container = Workloads.mainContainer(deployment);
            int httpPort = props.requirePort("quarkus.http.port");
            Map<String, String> expected = Map.of(
                    "startupProbe", "/q/health/started",
                    "livenessProbe", "/q/health/live",
                    "readinessProbe", "/q/health/ready");
            expected.forEach((probe, path) -> {
                JsonNode get = container.path(probe).path("httpGet");
                assertThat(get.path("path").asText())
                        .as("%s path of %s", probe, module)
                        .isEqualTo(path);
                JsonNode port = get.path("port");
                assertThat(
                                port.isInt()
                                        ? port.asInt()
                                        : Workloads.namedPorts(container).get(port.asText()))
                        .as("%s port of %s (quarkus.http.port)", probe, module)
                        .isEqualTo(httpPort);
            });
        });
    }

    @TestFactory
    Stream<DynamicTest> serviceAndScrapeAnnotationUseTheSamePorts() {
        return perService((module, deployment) -> {
            Map<String, Integer> ports = expectedPorts(ServiceProperties.of(tree.repoRoot(), module));
            DeployTree.Resource service = tree.requireBaseResource("Service", module);
            Map<String, Integer> servicePorts = new LinkedHashMap<>();
            for (JsonNode p : service.node().path("spec").path("ports")) {
                servicePorts.put(p.path("name").asText(), p.path("port").asInt());
                assertThat(p.path("targetPort").asText())
                        .as(
                                "targetPort of Service %s port %s",
                                module, p.path("name").asText())
                        .isEqualTo(p.path("name").asText());
            }
            assertThat(servicePorts).as("ports of Service %s", module).containsExactlyEntriesOf(ports);
            Map<String, String> annotations = Workloads.podAnnotations(deployment);
            assertThat(annotations)
                    .as("Prometheus scrape annotations of %s", module)
                    .containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/path", "/q/metrics")
                    .containsEntry("prometheus.io/port", String.valueOf(ports.get("http")));
        });
    }

    @TestFactory
    Stream<DynamicTest> imageExposesTheSamePortsAndRunsAsUser185() {
        return perService((module, deployment) -> {
            Map<String, Integer> ports = expectedPorts(ServiceProperties.of(tree.repoRoot(), module));
            // The Jib image (deploy/pom.xml, profile image): its execution for the module, and the shared user.
            Element jib = jibPlugin();
            Element execution = null;
            for (Element e : children(child(jib, "executions"), "execution")) {
                if (text(child(e, "id")).equals(module)) {
                    execution = e;
                }
            }
            assertThat(execution)
                    .as("a Jib execution %s in deploy/pom.xml", module)
                    .isNotNull();
            List<Integer> exposed = new ArrayList<>();
            for (Element port :
                    children(child(child(child(execution, "configuration"), "container"), "ports"), "port")) {
                exposed.add(Integer.parseInt(text(port)));
            }
            assertThat(exposed).as("Jib ports of %s", module).containsExactlyInAnyOrderElementsOf(ports.values());
            assertThat(text(child(child(child(jib, "configuration"), "container"), "user")))
                    .as("Jib user")
                    .isEqualTo("185:185");
            if (module.equals("inference-service")) {
                assertExposesAndUser(tree.deployDir().resolve("docker/inference-service-gpu.Dockerfile"), ports);
            }
            assertThat(tree.repoRoot().resolve(module).resolve("src/main/docker/Dockerfile.jvm"))
                    .as("the JVM image is Jib's; a hand-written Dockerfile would drift from it")
                    .doesNotExist();
        });
    }

    private Element jibPlugin() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(tree.deployDir().resolve("pom.xml").toFile());
        for (Element profile : children(child(pom.getDocumentElement(), "profiles"), "profile")) {
            if (text(child(profile, "id")).equals("image")) {
                for (Element plugin : children(child(child(profile, "build"), "plugins"), "plugin")) {
                    if (text(child(plugin, "artifactId")).equals("jib-maven-plugin")) {
                        return plugin;
                    }
                }
            }
        }
        throw new AssertionError("deploy/pom.xml has no profile image with jib-maven-plugin");
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String text(Element e) {
        return e == null ? "" : e.getTextContent().trim();
    }

    private static void assertExposesAndUser(Path dockerfile, Map<String, Integer> ports) throws IOException {
        assertThat(dockerfile).isRegularFile();
        String text = Files.readString(dockerfile);
        List<Integer> exposed = new ArrayList<>();
        Matcher m = EXPOSE.matcher(text);
        while (m.find()) {
            for (String port : m.group(1).trim().split("\\s+")) {
                exposed.add(Integer.parseInt(port.replaceFirst("/tcp$", "")));
            }
        }
        assertThat(exposed).as("EXPOSE of %s", dockerfile).containsExactlyInAnyOrderElementsOf(ports.values());
        assertThat(text).as("%s runs as uid 185", dockerfile).containsPattern("(?m)^USER 185\\s*$");
    }

    /** http -> quarkus.http.port, and grpc -> quarkus.grpc.server.port when the service sets one. */
    private static Map<String, Integer> expectedPorts(ServiceProperties props) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("http", props.requirePort("quarkus.http.port"));
        OptionalInt grpc = props.port("quarkus.grpc.server.port");
        grpc.ifPresent(p -> ports.put("grpc", p));
        return ports;
    }

    private interface ServiceCheck {
        void check(String module, DeployTree.Resource deployment) throws Exception;
    }

    private Stream<DynamicTest> perService(ServiceCheck check) {
        return SERVICE_MODULES.stream()
                .map(module -> dynamicTest(module, () -> {
                    DeployTree.Resource deployment = tree.requireBaseResource("Deployment", module);
                    check.check(module, deployment);
                }));
    }
}
