package dev.kotune.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code submit --job} files: protobuf JSON and YAML through the same parser. */
class JobFileTest {
    static final Path EXAMPLE = Path.of("..", "examples", "notebook-job.yaml");

    @Test
    void theExampleYamlIsExactlyTheNotebooksJob() {
        assertThat(JobFile.isYaml(EXAMPLE)).isTrue();
        assertThat(JobFile.read(EXAMPLE)).isEqualTo(NotebookJob.spec(NotebookJob.BUILT_IN_BASE_MODEL));
    }

    @Test
    void yamlAndItsJsonGiveTheSameSpec(@TempDir Path dir) throws Exception {
        TrainingJobSpec notebook = NotebookJob.spec(NotebookJob.BUILT_IN_BASE_MODEL);
        Path json = dir.resolve("job.json");
        Files.writeString(json, JsonFormat.printer().print(notebook), StandardCharsets.UTF_8);
        Path yml = dir.resolve("job.yml");
        Files.writeString(yml, """
        baseModel: kotune/tiny-ko
        dataset: {inline: {examples: [{prompt: a, completion: " b"}]}}
        hyperparameters: {learningRate: 3e-5, maxSteps: "7", dropout: false}
        """, StandardCharsets.UTF_8);
        assertThat(JobFile.read(json)).isEqualTo(notebook);
        TrainingJobSpec spec = JobFile.read(yml);
        assertThat(spec.getHyperparameters().getLearningRate()).isEqualTo(3e-5);
        assertThat(spec.getHyperparameters().getMaxSteps()).isEqualTo(7);
        assertThat(spec.getHyperparameters().hasDropout()).isTrue();
        assertThat(spec.getHyperparameters().getDropout()).isFalse();
        assertThat(spec.getDataset().getInline().getExamples(0).getCompletion()).isEqualTo(" b");
    }

    @Test
    void aYamlSyntaxErrorNamesTheLineAndColumn(@TempDir Path dir) throws Exception {
        Path yml = dir.resolve("job.yaml");
        Files.writeString(yml, "base_model: kotune/tiny-ko\ndataset:\n  inline: [unclosed\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> JobFile.read(yml))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("job file " + yml + " is not valid YAML at line ")
                .hasMessageEndingWith(
                        "at line 4, column 1: while parsing a flow sequence: expected ',' or ']', but got <stream end>");
    }

    @Test
    void aDuplicateKeyIsAnError(@TempDir Path dir) throws Exception {
        Path yml = dir.resolve("job.yaml");
        Files.writeString(yml, "base_model: a\nbase_model: b\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> JobFile.read(yml))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("base_model");
    }

    @Test
    void anUnknownFieldIsNamedAsForJson(@TempDir Path dir) throws Exception {
        Path yml = dir.resolve("job.yaml");
        Files.writeString(yml, "base_model: x\nlearning_rate: 3\n", StandardCharsets.UTF_8);
        Path json = dir.resolve("job.json");
        Files.writeString(json, "{\"base_model\": \"x\", \"learning_rate\": 3}", StandardCharsets.UTF_8);
        String yamlError = message(yml);
        assertThat(yamlError)
                .contains("job file " + yml + " is not a valid TrainingJobSpec")
                .contains("learning_rate");
        assertThat(yamlError.replace(yml.toString(), "F"))
                .isEqualTo(message(json).replace(json.toString(), "F"));
    }

    @Test
    void aWrongTypeIsTheParsersError(@TempDir Path dir) throws Exception {
        Path yml = dir.resolve("job.yaml");
        Files.writeString(yml, "base_model: x\nhyperparameters:\n  num_train_epochs: many\n", StandardCharsets.UTF_8);
        assertThat(message(yml)).contains("not a valid TrainingJobSpec").contains("many");
    }

    @Test
    void anEmptyOrNonMappingYamlIsRefused(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "# nothing\n", StandardCharsets.UTF_8);
        assertThat(message(empty)).contains("is empty");
        Path list = dir.resolve("list.yaml");
        Files.writeString(list, "- base_model: x\n", StandardCharsets.UTF_8);
        assertThat(message(list)).contains("expected a mapping of fields at the top, got array");
    }

    @Test
    void submitNamesTheYamlErrorAndExitsWithOne(@TempDir Path dir) throws Exception {
        Path yml = dir.resolve("job.yaml");
        Files.writeString(yml, "base_model: x\nnot_a_field: 1\n", StandardCharsets.UTF_8);
        KotuneCommandTest.Run run =
                KotuneCommandTest.run("submit", "--job", yml.toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .contains("job file " + yml)
                .contains("not a valid TrainingJobSpec")
                .contains("not_a_field");
    }

    private static String message(Path file) {
        try {
            JobFile.read(file);
        } catch (UserException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error for " + file);
    }
}
