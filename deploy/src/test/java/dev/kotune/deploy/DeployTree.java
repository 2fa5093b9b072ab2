package dev.kotune.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The {@code deploy/} directory as the tests see it: every YAML document in it, and the kustomizations that tie the
 * files together. Loaded once per JVM; immutable and thread-safe afterwards.
 */
final class DeployTree {

    static final String KUSTOMIZATION = "kustomization.yaml";

    private static final YAMLMapper YAML = new YAMLMapper();

    private final Path repoRoot;
    private final Path deployDir;
    private final Map<Path, List<JsonNode>> documents;

    private DeployTree(Path deployDir) {
        this.deployDir = deployDir;
        this.repoRoot = deployDir.getParent();
        this.documents = Collections.unmodifiableMap(loadAll(deployDir));
    }

    /** The tree of this checkout (the module's base directory, as Maven passes it to the tests). */
    static DeployTree get() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final DeployTree INSTANCE = new DeployTree(locateDeployDir());
    }

    private static Path locateDeployDir() {
        String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
        Path dir = Paths.get(basedir).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("base").resolve(KUSTOMIZATION))) {
            throw new IllegalStateException("Not the deploy module: " + dir + " has no base/" + KUSTOMIZATION
                    + "; run the tests with ./mvnw -pl deploy test from the repository root");
        }
        return dir;
    }

    private static Map<Path, List<JsonNode>> loadAll(Path deployDir) {
        try (Stream<Path> files = Files.walk(deployDir)) {
            List<Path> yamlFiles = files.filter(Files::isRegularFile)
                    .filter(p -> !deployDir.relativize(p).startsWith("target"))
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .collect(Collectors.toList());
            Map<Path, List<JsonNode>> byFile = new LinkedHashMap<>();
            for (Path file : yamlFiles) {
                byFile.put(file.normalize(), parse(file));
            }
            return byFile;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every non-empty YAML document of {@code file}; a syntax error fails with the file's name. */
    static List<JsonNode> parse(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("Cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every non-empty YAML document of {@code text} (a multi-document stream). */
    static List<JsonNode> parse(String text) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        for (JsonNode doc :
                YAML.readerFor(JsonNode.class).<JsonNode>readValues(text).readAll()) {
            if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                docs.add(doc);
            }
        }
        return docs;
    }

    Path repoRoot() {
        return repoRoot;
    }

    Path deployDir() {
        return deployDir;
    }

    Path base() {
        return deployDir.resolve("base");
    }

    Path overlay(String name) {
        return deployDir.resolve("overlays").resolve(name);
    }

    /** Every YAML file under deploy/ (outside target/) with its documents, in path order. */
    Map<Path, List<JsonNode>> documents() {
        return documents;
    }

    /** Every directory under deploy/ that holds a kustomization.yaml. */
    List<Path> kustomizationDirs() {
        return documents.keySet().stream()
                .filter(p -> p.getFileName().toString().equals(KUSTOMIZATION))
                .map(Path::getParent)
                .collect(Collectors.toList());
    }

    /** The kustomization of {@code dir}; fails if {@code dir} has none. */
    JsonNode kustomization(Path dir) {
        List<JsonNode> docs = documents.get(dir.resolve(KUSTOMIZATION).normalize());
        if (docs == null || docs.size() != 1) {
            throw new AssertionError(dir + " has no single-document " + KUSTOMIZATION);
        }
        return docs.get(0);
    }

    /** The {@code resources} entries of the kustomization in {@code dir}, resolved against {@code dir}. */
    List<Path> resourceEntries(Path dir) {
        return strings(kustomization(dir).path("resources")).stream()
                .map(entry -> {
                    if (entry.contains("://") || entry.startsWith("github.com/")) {
                        throw new AssertionError(dir.resolve(KUSTOMIZATION) + " lists the remote resource " + entry
                                + ": every resource must be a file of this repository, so the manifests render"
                                + " offline");
                    }
                    return dir.resolve(entry).normalize();
                })
                .collect(Collectors.toList());
    }

    /** The {@code patches} entries of the kustomization in {@code dir} (each with optional path and target). */
    List<JsonNode> patches(Path dir) {
        List<JsonNode> patches = new ArrayList<>();
        kustomization(dir).path("patches").forEach(patches::add);
        return patches;
    }

    /** Every resource document that the kustomization in {@code dir} includes, following nested kustomizations. */
    List<Resource> resources(Path dir) {
        List<Resource> all = new ArrayList<>();
        for (Path entry : resourceEntries(dir)) {
            if (Files.isDirectory(entry)) {
                all.addAll(resources(entry));
            } else {
                List<JsonNode> docs = documents.get(entry);
                if (docs == null) {
                    throw new AssertionError(dir.resolve(KUSTOMIZATION) + " lists " + dir.relativize(entry)
                            + ", which is not a YAML file under deploy/");
                }
                docs.forEach(doc -> all.add(new Resource(entry, doc)));
            }
        }
        return all;
    }

    /** The base's resources of one kind. */
    List<Resource> baseResources(String kind) {
        return resources(base()).stream().filter(r -> r.kind().equals(kind)).collect(Collectors.toList());
    }

    /** The base's resource of this kind and name. */
    Optional<Resource> baseResource(String kind, String name) {
        return baseResources(kind).stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** The base's only resource of this kind and name; fails when it is missing. */
    Resource requireBaseResource(String kind, String name) {
        return baseResource(kind, name)
                .orElseThrow(() -> new AssertionError("deploy/base has no " + kind + " named " + name));
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }

    /** One Kubernetes object of a manifest file. */
    record Resource(Path file, JsonNode node) {

        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return kind() + "/" + name() + " (" + file.getParent().getFileName() + "/" + file.getFileName() + ")";
        }
    }
}
