package dev.kotune.cli;

import static dev.kotune.cli.KotuneCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.cli.KotuneCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code kotune tokenize} on KoGPT2's real tokenizer, in-process. */
class TokenizeCommandTest {
    private static final String CANONICAL = "질문: 안녕하세요?\n답변: 안녕하세요! 무엇을 도와드릴까요?";
    private static final String CANONICAL_IDS =
            "24454 401 25906 8702 7801 13675 7192 7643 401 25906 8702 7801 8084 376 22375 14355 7281 7481 6969 8084 406";

    @Test
    void printsTheNotebookIds() {
        Run run = run("tokenize", "--tokenizer", kogpt2(), CANONICAL);

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip()).isEqualTo(CANONICAL_IDS);
    }

    @Test
    void printsIdsAndTokensAsJson() throws Exception {
        Run run = run("tokenize", "--tokenizer", kogpt2(), "--json", CANONICAL);

        assertThat(run.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        List<String> ids = new ArrayList<>();
        json.path("ids").forEach(id -> ids.add(id.asText()));
        assertThat(String.join(" ", ids)).isEqualTo(CANONICAL_IDS);
        assertThat(json.path("tokens").size()).isEqualTo(21);
        assertThat(json.path("tokens").get(0).asText()).isEqualTo("▁질문");
        assertThat(json.path("tokens").get(5).asText()).isEqualTo("요?\n");
    }

    @Test
    void rejectsABlankTextWithExitTwo() {
        Run run = run("tokenize", "--tokenizer", kogpt2(), "  ");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("TEXT: must not be empty or only whitespace");
    }

    @Test
    void reportsAMissingTokenizerFileInOneLine() {
        Run run = run("tokenize", "--tokenizer", "./no/such/tokenizer.json", "안녕");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .contains("kotune tokenize: tokenizer './no/such/tokenizer.json' not found")
                .doesNotContain("Exception");
    }

    @Test
    void needsAText() {
        Run run = run("tokenize", "--tokenizer", kogpt2());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter: 'TEXT'");
    }

    /** ../shared/data/kogpt2/tokenizer.json: fails in CI (CI=true) when missing, skipped loudly elsewhere. */
    private static String kogpt2() {
        String dir = System.getProperty("kotune.shared.dir", System.getenv("KOTUNE_SHARED_DIR"));
        Path p = dir == null ? null : Path.of(dir, "data", "kogpt2", "tokenizer.json");
        if (p != null && Files.isRegularFile(p)) {
            return p.toString();
        }
        String msg = "MISSING TEST DATA: kogpt2/tokenizer.json not found at " + p;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(msg);
        }
        System.err.println("SKIPPED: " + msg);
        assumeTrue(false, msg);
        return null;
    }
}
