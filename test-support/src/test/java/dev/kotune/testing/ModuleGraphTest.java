package dev.kotune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * docs/ARCHITECTURE.md's module graph is the poms' graph: the fenced block after the {@value #MARKER} line lists every
 * {@code dev.kotune} dependency that a module's pom.xml declares in its {@code <dependencies>}, one {@code module -> dep}
 * line per edge; compile and runtime scope (and no scope) are build edges, {@code test} scope is written
 * {@code module -> dep [test]}. Edges that are not in any pom (trainer-service calling tokenizer-service over gRPC) are
 * written {@code module ~> dep [...]}: they must join two modules and must not also be a build edge. The test fails
 * with the edges the doc is missing and the ones it has too many.
 */
class ModuleGraphTest {
    static final String MARKER = "<!-- module-graph: checked by test-support's ModuleGraphTest -->";
    private static final Pattern BUILD_EDGE = Pattern.compile("([a-z0-9-]+) -> ([a-z0-9-]+)( \\[test\\])?");
    private static final Pattern RUNTIME_EDGE = Pattern.compile("([a-z0-9-]+) ~> ([a-z0-9-]+) \\[.+\\]");

    record Graph(Set<String> build, Set<String> test, Set<String> runtimeOnly) {}

    @Test
    void architectureDocListsExactlyThePomsModuleEdges() throws Exception {
        Path root = RepoFiles.root();
        Graph poms = fromPoms(root);
        Graph doc = fromDoc(Files.readString(RepoFiles.require("docs/ARCHITECTURE.md")));

        assertThat(poms.build())
                .as("the poms declare no dev.kotune edges? (parsing broke)")
                .isNotEmpty();
        assertEdges("build (compile/runtime)", poms.build(), doc.build());
        assertEdges("test-scope", poms.test(), doc.test());
        Set<String> modules = modules(root).keySet();
        for (String edge : doc.runtimeOnly()) {
            String[] ends = edge.split(" -> ");
            assertThat(modules)
                    .as("runtime edge " + edge + " joins two modules")
                    .contains(ends[0], ends[1]);
            assertThat(poms.build())
                    .as("runtime-only edge " + edge + " is also a build edge: write it as ->")
                    .doesNotContain(edge);
        }
    }

    @Test
    void aMissingOrExtraEdgeIsNamed() {
        Graph doc = fromDoc(MARKER + "\n```\na -> b\nc -> d [test]\ne ~> f [gRPC]\n```\n");
        assertThat(doc.build()).containsExactly("a -> b");
        assertThat(doc.test()).containsExactly("c -> d");
        assertThat(doc.runtimeOnly()).containsExactly("e -> f");
        assertThat(difference(Set.of("a -> b", "x -> y"), doc.build())).containsExactly("x -> y");
    }

    private static void assertEdges(String kind, Set<String> poms, Set<String> doc) {
        Set<String> missing = difference(poms, doc);
        Set<String> extra = difference(doc, poms);
        assertThat(missing.isEmpty() && extra.isEmpty())
                .as(
                        "docs/ARCHITECTURE.md's " + kind
                                + " edges differ from the poms'.%n  missing from the doc (in a pom): %s"
                                + "%n  extra in the doc (in no pom): %s",
                        missing,
                        extra)
                .isTrue();
    }

    static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    /** The fenced block after {@link #MARKER}. */
    static Graph fromDoc(String markdown) {
        int at = markdown.indexOf(MARKER);
        assertThat(at).as("docs/ARCHITECTURE.md has no line " + MARKER).isNotNegative();
        String[] lines = markdown.substring(at + MARKER.length()).strip().split("\n");
        assertThat(lines[0]).as("a fenced block follows " + MARKER).startsWith("```");
        Graph graph = new Graph(new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
        for (int i = 1; i < lines.length && !lines[i].startsWith("```"); i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher build = BUILD_EDGE.matcher(line);
            Matcher runtime = RUNTIME_EDGE.matcher(line);
            if (build.matches()) {
                (build.group(3) == null ? graph.build() : graph.test()).add(build.group(1) + " -> " + build.group(2));
            } else if (runtime.matches()) {
                graph.runtimeOnly().add(runtime.group(1) + " -> " + runtime.group(2));
            } else {
                throw new AssertionError("docs/ARCHITECTURE.md module graph: cannot read line '" + line
                        + "' (expected 'module -> dep', 'module -> dep [test]' or 'module ~> dep [why]')");
            }
        }
        return graph;
    }

    /** Every module's dev.kotune dependencies, by module directory name. */
    static Graph fromPoms(Path root) throws Exception {
        Map<String, String> moduleByArtifact = new HashMap<>();
        Map<String, Element> poms = modules(root);
        poms.forEach((module, pom) -> moduleByArtifact.put(child(pom, "artifactId"), module));
        Graph graph = new Graph(new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
        for (var entry : poms.entrySet()) {
            Element dependencies = childElement(entry.getValue(), "dependencies");
            if (dependencies == null) {
                continue;
            }
            for (Element dependency : children(dependencies, "dependency")) {
                if (!"dev.kotune".equals(child(dependency, "groupId"))) {
                    continue;
                }
                String artifact = child(dependency, "artifactId");
                String target = moduleByArtifact.get(artifact);
                assertThat(target)
                        .as(entry.getKey() + "/pom.xml depends on dev.kotune:" + artifact
                                + ", which is no module of the root pom")
                        .isNotNull();
                String scope = child(dependency, "scope");
                String edge = entry.getKey() + " -> " + target;
                if (scope == null || scope.equals("compile") || scope.equals("runtime") || scope.equals("provided")) {
                    graph.build().add(edge);
                } else if (scope.equals("test")) {
                    graph.test().add(edge);
                } else {
                    throw new AssertionError(
                            entry.getKey() + "/pom.xml: unexpected scope " + scope + " on " + artifact);
                }
            }
        }
        return graph;
    }

    /** The root pom's modules: directory name to its pom's project element. */
    static Map<String, Element> modules(Path root) throws Exception {
        Map<String, Element> modules = new HashMap<>();
        Element rootPom = parse(root.resolve("pom.xml"));
        for (Element module : children(childElement(rootPom, "modules"), "module")) {
            String dir = module.getTextContent().strip();
            modules.put(dir, parse(root.resolve(dir).resolve("pom.xml")));
        }
        return modules;
    }

    private static Element parse(Path pom) throws Exception {
        try {
            Document document =
                    DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
            return document.getDocumentElement();
        } catch (IOException e) {
            throw new AssertionError("cannot read " + pom, e);
        }
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static Element childElement(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String child(Element parent, String name) {
        Element e = childElement(parent, name);
        return e == null ? null : e.getTextContent().strip();
    }
}
