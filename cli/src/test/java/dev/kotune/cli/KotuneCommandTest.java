package dev.kotune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KotuneCommandTest {

    /** Output of one CLI run. */
    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = KotuneCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommand() {
        Run run = run("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("Usage: kotune")
                .contains("demo")
                .contains("submit")
                .contains("jobs")
                .contains("broker")
                .contains("models");
    }

    @Test
    void unknownCommandPrintsUsageAndExitsWithTwo() {
        Run run = run("frobnicate");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unmatched argument").contains("Usage: kotune");
    }

    @Test
    void badFlagPrintsUsageAndExitsWithTwo() {
        Run run = run("--no-such-flag");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option: '--no-such-flag'").contains("Usage: kotune");
    }

    @Test
    void noCommandPrintsUsageAndExitsWithTwo() {
        Run run = run();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing command").contains("Usage: kotune");
    }

    @Test
    void submitNeedsAJobFileOrTheNotebook() {
        Run run = run("submit");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--job=FILE").contains("--notebook");
    }

    @Test
    void submitRejectsAnInvalidJobIdBeforeTouchingKafka() {
        Run run = run("submit", "--notebook", "--job-id", "no spaces allowed", "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--job-id must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    }

    @Test
    void submitRejectsAJobFileThatIsNotATrainingJobSpec(@TempDir Path dir) throws Exception {
        Path job = dir.resolve("job.json");
        Files.writeString(job, "{\"base_model\": \"x\", \"learning_rate\": 3}", StandardCharsets.UTF_8);
        Run run = run("submit", "--job", job.toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .contains("job file " + job)
                .contains("not a valid TrainingJobSpec")
                .contains("learning_rate");
    }

    @Test
    void theNotebookJobCarriesTheNotebooksExamplesAndSettings() {
        var spec = NotebookJob.spec(NotebookJob.BUILT_IN_BASE_MODEL);
        assertThat(spec.getDataset().getInline().getExamplesList()).hasSize(4);
        assertThat(spec.getDataset().getInline().getExamples(0).getPrompt()).isEqualTo("안녕하세요?");
        assertThat(spec.getDataset().getInline().getExamples(0).getCompletion()).isEqualTo(" 안녕하세요! 무엇을 도와드릴까요?");
        assertThat(spec.getFormat().getTemplate()).isEqualTo("질문: {prompt}\n답변:{completion}");
        assertThat(spec.getHyperparameters().getPerDeviceTrainBatchSize()).isEqualTo(4);
        assertThat(spec.getHyperparameters().getNumTrainEpochs()).isEqualTo(20);
        assertThat(spec.getHyperparameters().getLearningRate()).isEqualTo(3e-5);
        assertThat(spec.getHyperparameters().getWeightDecay()).isEqualTo(0.01);
        var generation = spec.getEvaluation().getGeneration();
        assertThat(generation.getTemperature()).isEqualTo(0.3f);
        assertThat(generation.getTopP()).isEqualTo(0.9f);
        assertThat(generation.getRepetitionPenalty()).isEqualTo(1.2f);
        assertThat(generation.getNoRepeatNgramSize()).isEqualTo(2);
        assertThat(generation.getMaxLength()).isEqualTo(64);
    }
}
