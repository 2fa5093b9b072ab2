package dev.kotune.trainer.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.tokenization.Example;
import dev.kotune.trainer.TestModels;
import dev.kotune.trainer.dataset.DatasetReader;
import dev.kotune.trainer.domain.Dataset;
import dev.kotune.trainer.domain.DatasetFormat;
import dev.kotune.trainer.domain.ValidationError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JobFileChecks}, each check with a failing and a passing case, on files under a temporary data root. */
class JobFileChecksTest {

    @TempDir
    Path tmp;

    Path root;
    JobFileChecks checks;
    Problems problems;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        checks = new JobFileChecks(
                new DatasetReader(),
                TestModels.locator(),
                new DataRoots(List.of(root, TestModels.REPO.resolve("models"))));
        problems = new Problems();
    }

    private List<String> fields() {
        return problems.errors().stream().map(ValidationError::field).toList();
    }

    @Test
    void baseModelRequiredHubIdBuiltInAndDirectory() throws IOException {
        checks.baseModel("", problems);
        assertThat(fields()).containsExactly("spec.base_model");
        assertThat(problems.errors().get(0).allowed()).startsWith("is required");

        problems = new Problems();
        assertThat(checks.baseModel("skt/kogpt2-base-v2", problems).nPositions())
                .isEqualTo(JobValidator.DEFAULT_N_POSITIONS);
        assertThat(checks.baseModel("kotune/tiny-ko", problems).name()).isEqualTo("kotune/tiny-ko");
        Path dir = Files.createDirectories(root.resolve("m"));
        Files.writeString(dir.resolve("config.json"), "{\"n_positions\": 128}");
        assertThat(checks.baseModel(dir.toString(), problems).nPositions()).isEqualTo(128);
        assertThat(problems.errors()).isEmpty();

        checks.baseModel("not a hub id!", problems);
        checks.baseModel("kotune/nope", problems);
        checks.baseModel(root.resolve("empty").toString(), problems);
        assertThat(fields()).containsExactly("spec.base_model", "spec.base_model", "spec.base_model");
    }

    @Test
    void aConfigThatIsNotJsonIsRefusedWithoutQuotingIt() throws IOException {
        Path dir = Files.createDirectories(root.resolve("m"));
        Files.writeString(dir.resolve("config.json"), "root:x:0:0:root");
        checks.baseModel(dir.toString(), problems);
        assertThat(problems.errors())
                .containsExactly(new ValidationError(
                        "spec.base_model", "\"" + dir + "\"", "must have a config.json that is readable JSON"));
    }

    @Test
    void tokenizerDefaultHubIdAndPaths() throws IOException {
        assertThat(checks.tokenizer("", problems)).isEmpty();
        assertThat(checks.tokenizer("skt/kogpt2-base-v2", problems)).isEqualTo("skt/kogpt2-base-v2");
        Path json = Files.writeString(root.resolve("tokenizer.json"), "{}");
        assertThat(checks.tokenizer(json.toUri().toString(), problems))
                .isEqualTo(json.toRealPath().toString());
        assertThat(problems.errors()).isEmpty();

        checks.tokenizer("/etc/passwd", problems);
        checks.tokenizer("./tokenizer.json", problems);
        assertThat(fields()).containsExactly("spec.tokenizer", "spec.tokenizer");
        assertThat(problems.errors().get(1).allowed()).startsWith("must be an absolute path or a file:// URI under");
    }

    @Test
    void datasetFileMustBeAReadableFileUnderARoot() throws IOException {
        Path csv = Files.writeString(root.resolve("d.csv"), "Q,A\nq,a\n");
        assertThat(checks.datasetFile(csv.toString(), problems)).isEqualTo(csv.toRealPath());
        assertThat(problems.errors()).isEmpty();

        assertThat(checks.datasetFile(root.resolve("missing.csv").toString(), problems))
                .isNull();
        assertThat(checks.datasetFile("../../etc/passwd", problems)).isNull();
        assertThat(checks.datasetFile("/etc/passwd", problems)).isNull();
        assertThat(problems.errors())
                .extracting(ValidationError::allowed)
                .satisfiesExactly(
                        a -> assertThat(a).isEqualTo("must be a readable file"),
                        a -> assertThat(a).startsWith("must be an absolute path or a file:// URI under a data root"),
                        a -> assertThat(a).startsWith("must lie under a data root"));
    }

    @Test
    void loadExamplesReportsRowsByNumberNeverByContent() throws IOException {
        Path csv = Files.writeString(root.resolve("d.csv"), "Q,A\nq,a\nsecret-prompt,\n");
        Dataset dataset = new Dataset(DatasetFormat.CSV, List.of(), csv.toString(), "Q", "A", 0);
        assertThat(checks.loadExamples(dataset, problems)).containsExactly(new Example("q", " a"));
        assertThat(problems.errors()).hasSize(1);
        assertThat(problems.errors().get(0).toString())
                .contains("spec.dataset.uri", "row 2", "completion (\"A\") is blank")
                .doesNotContain("secret-prompt");
    }

    @Test
    void loadExamplesOfAFileWithoutTheColumnNamesTheColumnNotTheHeader() throws IOException {
        Path passwd = Files.writeString(root.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        Dataset dataset = new Dataset(DatasetFormat.CSV, List.of(), passwd.toString(), "Q", "A", 0);
        assertThat(checks.loadExamples(dataset, problems)).isEmpty();
        assertThat(problems.errors().toString())
                .contains("must be readable as CSV (no column \"Q\" in the CSV header (1 column))")
                .doesNotContain("root:");
    }

    @Test
    void anEmptyFileDatasetHasNoExample() throws IOException {
        Path jsonl = Files.writeString(root.resolve("d.jsonl"), "");
        Dataset dataset = new Dataset(DatasetFormat.JSONL, List.of(), jsonl.toString(), null, null, 0);
        assertThat(checks.loadExamples(dataset, problems)).isEmpty();
        assertThat(problems.errors())
                .containsExactly(new ValidationError("spec.dataset.uri", "0", "must hold at least 1 example"));
        Problems none = new Problems();
        assertThat(checks.loadExamples(Dataset.inline(List.of(new Example("q", " a")), 0), none))
                .hasSize(1);
        assertThat(none.errors()).isEmpty();
    }
}
