package dev.kotune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The daemonless images ({@code -Pimage}: Jib's {@code <service>/target/jib-image.tar}) run what the manifests expect:
 * uid 185, the ports of the service's application.properties, {@code java -jar /deployments/quarkus-run.jar}, OCI
 * labels, the service's quarkus-app in a layer, and (scratch base) an executable Java runtime. Read from the tarball's
 * own manifest and config; no Docker needed. Without the tarballs (the default build makes no images) the checks are
 * reported as skipped with a note.
 */
class ImageTarTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DeployTree tree = DeployTree.get();

    /** Every file of a tar stream: name to content (content only for names {@code keep} accepts, else empty). */
    static Map<String, Entry> readTar(InputStream in, java.util.function.Predicate<String> keep) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        byte[] header = new byte[512];
        String longName = null;
        while (in.readNBytes(header, 0, 512) == 512) {
            if (header[0] == 0) {
                break;
            }
            String name = text(header, 0, 100);
            String prefix = text(header, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            int mode = (int) octal(header, 100, 8);
            long size = octal(header, 124, 12);
            char type = (char) header[156];
            boolean wanted = type == 'x' || type == 'L' || keep.test(longName != null ? longName : name);
            byte[] body = wanted ? in.readNBytes((int) size) : new byte[0];
            if (!wanted) {
                in.skipNBytes(size);
            }
            in.skipNBytes((512 - size % 512) % 512);
            if (type == 'x') {
                for (String record : new String(body, StandardCharsets.UTF_8).split("\n")) {
                    int eq = record.indexOf(" path=");
                    if (eq >= 0) {
                        longName = record.substring(eq + 6);
                    }
                }
                continue;
            }
            if (type == 'L') {
                longName = new String(body, StandardCharsets.UTF_8).replace("\0", "");
                continue;
            }
            if (longName != null) {
                name = longName;
                longName = null;
            }
            entries.put(
                    name.replaceFirst("^\\./", "").replaceFirst("^/", "").replaceFirst("/$", ""),
                    new Entry(type, mode, body));
        }
        return entries;
    }

    record Entry(char type, int mode, byte[] content) {}

    private static String text(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int off, int len) {
        String s = text(b, off, len).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    @TestFactory
    Stream<DynamicTest> eachServiceImageRunsAsUser185OnItsPortsFromItsQuarkusApp() {
        return ServicePortsTest.SERVICE_MODULES.stream()
                .map(module -> dynamicTest(module, () -> {
                    Path tar = tree.repoRoot().resolve(module).resolve("target/jib-image.tar");
                    if (!Files.isRegularFile(tar)) {
                        System.out.println("kotune deploy: " + tar + " does not exist - the image check of " + module
                                + " DID NOT RUN (build the images with -Pimage, deploy/README.md \"Images\")");
                    }
                    Assumptions.assumeTrue(Files.isRegularFile(tar), "no " + tar + ": images are built with -Pimage");
                    Map<String, Entry> outer;
                    try (InputStream in = Files.newInputStream(tar)) {
                        outer = readTar(in, name -> name.endsWith(".json"));
                    }
                    JsonNode manifest =
                            JSON.readTree(outer.get("manifest.json").content()).get(0);
                    assertThat(DeployTree.strings(manifest.path("RepoTags")))
                            .as("tag of %s", tar)
                            .containsExactly("kotune/" + module + ":0.1.0");
                    JsonNode config = JSON.readTree(
                                    outer.get(manifest.path("Config").asText()).content())
                            .path("config");
                    assertThat(config.path("User").asText())
                            .as("user of %s", module)
                            .isIn("185", "185:185");
                    ServiceProperties props = ServiceProperties.of(tree.repoRoot(), module);
                    List<String> ports = new ArrayList<>();
                    ports.add(props.requirePort("quarkus.http.port") + "/tcp");
                    props.port("quarkus.grpc.server.port").ifPresent(p -> ports.add(p + "/tcp"));
                    List<String> exposed = new ArrayList<>();
                    config.path("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
                    assertThat(exposed)
                            .as("exposed ports of %s vs %s", module, props.file())
                            .containsExactlyInAnyOrderElementsOf(ports);
                    assertThat(DeployTree.strings(config.path("Entrypoint")))
                            .as("entrypoint of %s", module)
                            .startsWith("java")
                            .endsWith("-jar", "/deployments/quarkus-run.jar");
                    assertThat(config.path("WorkingDir").asText()).isEqualTo("/deployments");
                    assertThat(Workloads.stringMap(config.path("Labels")))
                            .containsEntry("org.opencontainers.image.title", "kotune " + module)
                            .containsEntry("org.opencontainers.image.version", "0.1.0")
                            .containsKey("org.opencontainers.image.base.name");
                    String base = config.path("Labels")
                            .path("org.opencontainers.image.base.name")
                            .asText();

                    // The layers: the quarkus-app once, and on scratch a Java runtime with an executable launcher.
                    Map<String, Entry> files = new LinkedHashMap<>();
                    try (InputStream in = Files.newInputStream(tar)) {
                        Map<String, Entry> layers = readTar(in, name -> name.endsWith(".tar.gz"));
                        for (JsonNode layer : manifest.path("Layers")) {
                            byte[] gz = layers.get(layer.asText()).content();
                            try (InputStream z = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                                files.putAll(readTar(z, name -> false));
                            }
                        }
                    }
                    assertThat(files.keySet()).contains("deployments/quarkus-run.jar");
                    assertThat(files.keySet().stream().filter(f -> f.startsWith("deployments/lib/main/")))
                            .as("the dependencies of %s", module)
                            .isNotEmpty();
                    assertThat(files.keySet().stream().filter(f -> f.startsWith("deployments/jib/libs/")))
                            .as("no second copy of the dependencies from Jib's own layers")
                            .isEmpty();
                    if (base.equals("scratch")) {
                        Entry java = files.get("opt/kotune-jre/bin/java");
                        assertThat(java).as("the jlink'd java of %s", module).isNotNull();
                        assertThat(java.mode() & 0111).as("java is executable").isNotZero();
                        assertThat(files.keySet()).contains("lib64/ld-linux-x86-64.so.2", "etc/passwd", "tmp");
                        assertThat(files.get("lib64/ld-linux-x86-64.so.2").mode() & 0111)
                                .as("the dynamic loader is executable")
                                .isNotZero();
                        assertThat(files.get("tmp").mode() & 0777).isEqualTo(0777);
                    }
                }));
    }
}
