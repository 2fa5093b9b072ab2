package dev.kotune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.CallableDeclaration;
import com.github.javaparser.ast.body.ConstructorDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.stmt.BlockStmt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * "The largest method in the services is under 50 lines" (issue 13): parses every {@code src/main/java} file of the
 * service modules and the CLI with JavaParser and fails naming each method or constructor whose body spans
 * {@value #MAX_BODY_LINES} lines or more (from its opening to its closing brace; lambdas and local classes count
 * toward the method that holds them). There is no allow-list: every method over the limit fails.
 */
class MethodLengthTest {

    /** A body of this many lines or more fails. */
    static final int MAX_BODY_LINES = 50;

    /** The modules whose main sources are checked. */
    static final List<String> MODULES = List.of("tokenizer-service", "trainer-service", "inference-service", "cli");

    @Test
    void everyMethodOfTheServicesAndTheCliIsUnderTheLimit() throws IOException {
        List<String> offenders = new ArrayList<>();
        tooLongMethods().forEach((method, lines) -> offenders.add(method + " (" + lines + " lines)"));
        assertThat(offenders)
                .as("methods of " + MAX_BODY_LINES + " lines or more: split them into named steps")
                .isEmpty();
    }

    @Test
    void theParserSeesTheSourcesAndMeasuresBodies() throws IOException {
        Map<String, Integer> all = bodyLines();
        assertThat(all).as("no methods found: the paths or the parser broke").hasSizeGreaterThan(200);
        assertThat(all.keySet())
                .anyMatch(m -> m.startsWith("trainer-service:"))
                .anyMatch(m -> m.startsWith("inference-service:"))
                .anyMatch(m -> m.startsWith("tokenizer-service:"))
                .anyMatch(m -> m.startsWith("cli:"));
        CompilationUnit unit = parse("class A {\n void f() {\n  int a;\n  int b;\n }\n}\n");
        MethodDeclaration f = unit.findFirst(MethodDeclaration.class).orElseThrow();
        assertThat(lines(f.getBody().orElseThrow())).isEqualTo(4);
    }

    /** {@code module:Type.method(ParamTypes)} of every method over the limit, with its body's lines. */
    static Map<String, Integer> tooLongMethods() throws IOException {
        Map<String, Integer> tooLong = new TreeMap<>();
        bodyLines().forEach((method, lines) -> {
            if (lines >= MAX_BODY_LINES) {
                tooLong.put(method, lines);
            }
        });
        return tooLong;
    }

    static Map<String, Integer> bodyLines() throws IOException {
        Map<String, Integer> out = new TreeMap<>();
        for (String module : MODULES) {
            Path src = RepoFiles.require(module + "/src/main/java");
            try (Stream<Path> files = Files.walk(src)) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    measure(module, parse(Files.readString(file)), out);
                }
            }
        }
        return out;
    }

    private static void measure(String module, CompilationUnit unit, Map<String, Integer> out) {
        for (CallableDeclaration<?> callable : unit.findAll(CallableDeclaration.class)) {
            Optional<BlockStmt> body = body(callable);
            if (body.isPresent()) {
                String type = callable.findAncestor(TypeDeclaration.class)
                        .map(t -> t.getNameAsString())
                        .orElse("?");
                out.put(module + ":" + type + "." + callable.getSignature().asString(), lines(body.get()));
            }
        }
    }

    private static Optional<BlockStmt> body(CallableDeclaration<?> callable) {
        if (callable instanceof MethodDeclaration m) {
            return m.getBody();
        }
        return Optional.of(((ConstructorDeclaration) callable).getBody());
    }

    /** Lines from the opening brace to the closing brace, both included. */
    static int lines(BlockStmt body) {
        return body.getEnd().orElseThrow().line - body.getBegin().orElseThrow().line + 1;
    }

    private static CompilationUnit parse(String source) {
        ParseResult<CompilationUnit> result = new JavaParser(
                        new ParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17))
                .parse(source);
        assertThat(result.getProblems()).as("JavaParser problems").isEmpty();
        return result.getResult().orElseThrow();
    }
}
