package dev.kotune.trainer.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.trainer.Jobs;
import dev.kotune.trainer.dataset.DatasetReader;
import dev.kotune.trainer.domain.JobRecord;
import dev.kotune.trainer.domain.JobState;
import dev.kotune.trainer.validation.JobValidator;
import dev.kotune.trainer.validation.ValidationResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobStoreTest {

    @TempDir
    Path home;

    private static JobRecord record(String jobId) {
        var spec = Jobs.validSpec().putLabels("team", "nlp");
        var accepted = (ValidationResult.Accepted)
                new JobValidator(new DatasetReader(), dev.kotune.trainer.TestModels.locator())
                        .validate(jobId, Jobs.submitted(spec));
        Instant at = Instant.parse("2026-01-02T03:04:05.123Z");
        return new JobRecord(
                accepted.job(),
                "event-1",
                "tester",
                at,
                accepted.numExamples(),
                accepted.totalSteps(),
                JobState.VALIDATED,
                at);
    }

    @Test
    void writesJobJsonThatReadsBackEqual() throws IOException {
        JobStore store = new JobStore(home);
        JobRecord record = record("job-a");
        store.write(record);
        Path file = home.resolve("jobs/job-a/job.json");
        assertThat(file).isRegularFile();
        assertThat(Files.readString(file))
                .contains(
                        "\"job_id\" : \"job-a\"",
                        "\"state\" : \"VALIDATED\"",
                        "\"accepted_at\" : \"2026-01-02T03:04:05.123Z\"",
                        "\"learning_rate\" : 3.0E-5");
        assertThat(store.read(file)).isEqualTo(record);
    }

    @Test
    void overwritesAtomicallyLeavingNoTemporaryFiles() throws IOException {
        JobStore store = new JobStore(home);
        JobRecord record = record("job-b");
        store.write(record);
        store.write(record.withState(JobState.FAILED, Instant.parse("2026-01-02T04:00:00Z")));
        try (Stream<Path> files = Files.list(home.resolve("jobs/job-b"))) {
            assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("job.json");
        }
        assertThat(store.readAll()).singleElement().extracting(JobRecord::state).isEqualTo(JobState.FAILED);
    }

    @Test
    void skipsAnUnreadableJobFile() throws IOException {
        JobStore store = new JobStore(home);
        store.write(record("good"));
        Files.createDirectories(home.resolve("jobs/broken"));
        Files.writeString(home.resolve("jobs/broken/job.json"), "{ not json");
        assertThat(store.readAll()).extracting(r -> r.job().jobId()).containsExactly("good");
    }
}
