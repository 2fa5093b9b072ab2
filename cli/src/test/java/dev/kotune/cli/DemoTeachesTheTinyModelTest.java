package dev.kotune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.testing.RepoFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kotune demo}, reduced to what proves fine-tuning works, on the real pipeline: a real Kafka broker (child JVM),
 * tokenizer-service, trainer-service and inference-service from their packaged jars (built by the reactor before this
 * module's tests), the teaching job over Kafka, the trainer's checkpoint and ONNX export, and inference-service's REST
 * answers. It asserts what a newcomer should see: all four notebook completions reproduced exactly by greedy decoding,
 * each ending at EOS (finish_reason {@code stop}), the notebook's sampling reproducing every reachable completion in
 * at least 18 of 20 seeded draws, and the loss-curve PNG.
 */
class DemoTeachesTheTinyModelTest {
    @Test
    @Timeout(300)
    void theDemoTeachesTheTinyModelTheFourNotebookAnswers(@TempDir Path home) throws Exception {
        Path root = RepoFiles.root();
        for (String module : new String[] {"tokenizer-service", "trainer-service", "inference-service"}) {
            Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
            assertThat(Files.isRegularFile(jar))
                    .as("%s is built by the reactor before cli's tests (run ./mvnw verify from the root)", jar)
                    .isTrue();
        }
        String before = System.getProperty("kotune.root");
        System.setProperty("kotune.root", root.toString());
        DemoCommand demo = new DemoCommand();
        StringWriter out = new StringWriter();
        int code;
        try {
            CommandLine cli = new CommandLine(demo);
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(out, true));
            code = cli.execute("--home", home.toString());
        } finally {
            if (before == null) {
                System.clearProperty("kotune.root");
            } else {
                System.setProperty("kotune.root", before);
            }
        }
        String printed = out.toString();
        assertThat(code).as(printed).isZero();

        BeforeAfterAnswers.Result answers = demo.answers();
        assertThat(answers.problems()).as(printed).isEmpty();
        assertThat(answers.rows()).as(printed).hasSize(4);
        for (BeforeAfterAnswers.Row row : answers.rows()) {
            assertThat(row.after()).as("greedy answer to %s", row.prompt()).isEqualTo(row.expected());
            assertThat(row.finishReason()).as("%s stops at EOS", row.prompt()).isEqualTo("stop");
            assertThat(row.exact()).isTrue();
            assertThat(row.before())
                    .as("the base model did not know it already")
                    .isNotEqualTo(row.expected().strip());
        }
        assertThat(printed).contains("exact match 4/4").contains("| exact");
        // the trainer prepared the examples with tokenizer-service over gRPC: the service counted the call
        assertThat(printed).containsPattern("tokenizer-service metrics: [1-9]\\d* PrepareExamples calls? over gRPC");

        // The notebook's sampling (20 seeded draws per prompt over REST): >= 90% where the completion is reachable at
        // all;
        // no_repeat_ngram_size 2 (counted over the prompt too) forbids "안녕하세요! ..." after "질문: 안녕하세요?".
        assertThat(answers.sampledExact()).as(printed).hasSize(4);
        assertThat(answers.unreachable()).as(printed).containsOnlyKeys("안녕하세요?");
        answers.sampledExact().forEach((prompt, n) -> {
            if (!answers.unreachable().containsKey(prompt)) {
                assertThat(n).as("draws equal to the completion of %s", prompt).isGreaterThanOrEqualTo(18);
            }
        });

        Path png = demo.lossPng();
        assertThat(png).as(printed).isNotNull().isRegularFile();
        assertThat(png.getFileName().toString()).isEqualTo("loss.png");
        assertThat(png.getParent().getParent().getFileName().toString()).isEqualTo("jobs");
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertThat(head).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        assertThat(printed).contains("Loss curve: " + png);
    }
}
