package dev.kotune.trainer.validation;

import static dev.kotune.trainer.Jobs.submitted;
import static dev.kotune.trainer.Jobs.validSpec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.proto.training.v1.Dataset;
import dev.kotune.proto.training.v1.DatasetFormat;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import dev.kotune.trainer.TestModels;
import dev.kotune.trainer.dataset.DatasetReader;
import dev.kotune.trainer.domain.ValidationError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The job-spec part of the bad-input corpus (issue 20): {@code bad-jobs/data-roots-and-job-ids.json}, each case one
 * field of a valid job set to a path or job id, accepted or rejected by name. Paths outside the data roots are refused
 * before they are opened, and no rejection carries a file's text.
 */
class BadJobsTest {

    static final String CORPUS = "/bad-jobs/data-roots-and-job-ids.json";

    @TempDir
    static Path tmp;

    static Path root;
    static Path outside;
    static JobValidator validator;

    @BeforeAll
    static void fixtures() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(root.resolve("good.csv"), "Q,A\n안녕,반가워요\n");
        Files.writeString(root.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/sh\n");
        Files.writeString(root.resolve("passwd.jsonl"), "root:x:0:0:root:/root:/bin/bash\n{\"prompt\":\"root:x\"}\n");
        Files.createDirectories(root.resolve("sub"));
        Files.createDirectories(root.resolve("model"));
        Files.writeString(root.resolve("model/config.json"), "{\"n_positions\": 1024}");
        Files.createSymbolicLink(root.resolve("link-to-passwd.csv"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(root.resolve("link-out"), outside);
        Files.writeString(outside.resolve("data.csv"), "Q,A\n안녕,반가워요\n");
        Files.createDirectories(outside.resolve("model"));
        Files.writeString(outside.resolve("model/config.json"), "{\"n_positions\": 1024}");
        validator = new JobValidator(
                new DatasetReader(),
                TestModels.locator(),
                new DataRoots(List.of(root, TestModels.REPO.resolve("models"))));
    }

    static Stream<Arguments> cases() throws IOException {
        try (InputStream in = BadJobsTest.class.getResourceAsStream(CORPUS)) {
            JsonNode doc = new ObjectMapper().readTree(in);
            List<Arguments> out = new ArrayList<>();
            doc.get("cases").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
            return out.stream();
        }
    }

    @Test
    void theCorpusHoldsTraversalAbsoluteSymlinkGoodAndJobIdCases() throws IOException {
        List<String> names = cases().map(a -> (String) a.get()[0]).toList();
        assertThat(names).hasSizeGreaterThanOrEqualTo(40);
        assertThat(names)
                .anyMatch(n -> n.contains("traversal"))
                .anyMatch(n -> n.contains("absolute outside"))
                .anyMatch(n -> n.contains("symlink"))
                .anyMatch(n -> n.contains("good"))
                .anyMatch(n -> n.startsWith("job_id"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachCaseIsAcceptedOrRejectedByName(String name, JsonNode c) {
        String value =
                c.get("value").asText().replace("${ROOT}", root.toString()).replace("${OUTSIDE}", outside.toString());
        String jobId = c.get("field").asText().equals("job_id") ? value : "job-1";
        ValidationResult result = validator.validate(jobId, submitted(spec(c, value)));
        if (c.get("expect").asText().equals("accepted")) {
            assertThat(result).as(name + ": " + result).isInstanceOf(ValidationResult.Accepted.class);
            return;
        }
        assertThat(result).as(name).isInstanceOf(ValidationResult.Rejected.class);
        List<ValidationError> errors = ((ValidationResult.Rejected) result).errors();
        assertThat(errors)
                .extracting(ValidationError::field)
                .contains(c.get("reject_field").asText());
        assertThat(errors.toString()).as(name + ": no file content").doesNotContain("root:", "daemon:");
    }

    private static TrainingJobSpec.Builder spec(JsonNode c, String value) {
        var spec = validSpec();
        DatasetFormat format =
                c.has("format") ? DatasetFormat.valueOf(c.get("format").asText()) : DatasetFormat.DATASET_FORMAT_CSV;
        switch (c.get("field").asText()) {
            case "spec.dataset.uri" ->
                spec.setDataset(Dataset.newBuilder().setUri(value).setFormat(format));
            case "spec.base_model" -> spec.setBaseModel(value);
            case "spec.tokenizer" -> spec.setTokenizer(value);
            case "job_id" -> {}
            default -> throw new IllegalArgumentException("unknown field in the corpus: " + c.get("field"));
        }
        return spec;
    }
}
