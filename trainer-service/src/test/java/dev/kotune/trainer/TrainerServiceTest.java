package dev.kotune.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import dev.kotune.broker.KafkaBrokerTestResource;
import dev.kotune.proto.training.v1.Hyperparameters;
import dev.kotune.proto.training.v1.PromptFormat;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingEvent.PayloadCase;
import dev.kotune.proto.training.v1.TrainingJobCancelRequested;
import dev.kotune.proto.training.v1.TrainingJobValidated;
import dev.kotune.proto.training.v1.TrainingStarted;
import dev.kotune.proto.training.v1.ValidationError;
import dev.kotune.trainer.kafka.DeadLetterPublisher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trainer end to end over a real Kafka broker (kafka-broker module, KRaft in a child JVM): records go in on the
 * jobs topic with a plain kafka-clients producer, and the events and dead-letter topics are read back with a plain
 * consumer.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
@QuarkusTestResource(TrainerHomeResource.class)
@QuarkusTestResource(TokenizerServerResource.class)
class TrainerServiceTest {

    private static final String JOBS = "kotune.training.jobs";
    private static final String EVENTS = "kotune.training.events";
    private static final String DLQ = "kotune.training.dlq";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static KafkaTestClient kafka;

    @BeforeAll
    static void connect() throws Exception {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        TokenizerServer.shared(ConfigProvider.getConfig().getValue(TokenizerServer.PORT_KEY, Integer.class));
        kafka.createTopics(JOBS, EVENTS, DLQ);
    }

    @AfterAll
    static void disconnect() {
        kafka.close();
    }

    private static String jobId(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static TrainingEvent.Builder envelope(String jobId) {
        Instant now = Instant.now();
        return TrainingEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setJobId(jobId)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                .setProducer("trainer-service-test");
    }

    private static TrainingEvent submission(String jobId) {
        return envelope(jobId).setJobSubmitted(Jobs.submitted(Jobs.validSpec())).build();
    }

    private static TrainingEvent parse(ConsumerRecord<String, byte[]> record) {
        try {
            return TrainingEvent.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** The events of {@code jobId}, read until one with the {@code last} payload arrived. */
    private static List<TrainingEvent> eventsUntil(String jobId, PayloadCase last) {
        return kafka
                .read(
                        EVENTS,
                        r -> jobId.equals(r.key()),
                        found -> found.stream().anyMatch(r -> parse(r).getPayloadCase() == last),
                        TIMEOUT)
                .stream()
                .map(TrainerServiceTest::parse)
                .toList();
    }

    private static ConsumerRecord<String, byte[]> deadLetter(String key) {
        return kafka.read(DLQ, r -> key.equals(r.key()), found -> !found.isEmpty(), TIMEOUT)
                .get(0);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void validatesAGoodJobThenFailsItWithBaseModelWhileTheHubIsOffline() throws Exception {
        String jobId = jobId("valid");
        TrainingEvent submitted = submission(jobId);
        kafka.send(JOBS, submitted);

        List<TrainingEvent> events = eventsUntil(jobId, PayloadCase.FAILED);

        assertThat(events)
                .extracting(TrainingEvent::getPayloadCase)
                .containsExactly(PayloadCase.JOB_VALIDATED, PayloadCase.FAILED);
        TrainingEvent validated = events.get(0);
        assertThat(validated.getJobId()).isEqualTo(jobId);
        assertThat(validated.getProducer()).isEqualTo("trainer-service");
        assertThat(UUID.fromString(validated.getEventId()).toString()).isNotEqualTo(submitted.getEventId());
        assertThat(Instant.ofEpochSecond(validated.getOccurredAt().getSeconds()))
                .isBetween(Instant.now().minusSeconds(120), Instant.now().plusSeconds(1));
        TrainingJobValidated v = validated.getJobValidated();
        assertThat(v.getNumExamples()).isEqualTo(12);
        assertThat(v.getTotalSteps()).isEqualTo(60);
        assertThat(v.getResolvedSpec().getHyperparameters().getLearningRate()).isEqualTo(3e-5);
        assertThat(v.getResolvedSpec().getHyperparameters().getNumTrainEpochs()).isEqualTo(20);
        assertThat(v.getResolvedSpec().getFormat().getTemplate()).isEqualTo("질문: {prompt}\n답변:{completion}");
        assertThat(v.getResolvedSpec().getFormat().getMaxLength()).isEqualTo(64);
        assertThat(v.getResolvedSpec().getTokenizer()).isEqualTo("skt/kogpt2-base-v2");
        assertThat(v.getResolvedSpec().getEvaluation().getPromptsCount()).isEqualTo(4);
        assertThat(v.getResolvedSpec().getDataset().getInline().getExamplesCount())
                .isEqualTo(12);

        // %test sets kotune.trainer.hub-offline and an empty hub cache: the hub id cannot be resolved.
        var failed = events.get(1).getFailed();
        assertThat(failed.getErrorType()).isEqualTo("BASE_MODEL");
        assertThat(failed.getReason()).contains("skt/kogpt2-base-v2", "config.json", "HF_HUB_OFFLINE");
        assertThat(failed.getStep()).isZero();

        Path jobJson =
                Path.of(ConfigProvider.getConfig().getValue("kotune.home", String.class), "jobs", jobId, "job.json");
        assertThat(jobJson).isRegularFile();
        assertThat(Files.readString(jobJson))
                .contains(
                        "\"job_id\" : \"" + jobId + "\"",
                        "\"state\" : \"FAILED\"",
                        "\"submitted_event_id\" : \"" + submitted.getEventId() + "\"");
    }

    @Test
    void rejectsAJobWithThreeProblemsListingEveryOne() throws Exception {
        String jobId = jobId("invalid");
        var spec = Jobs.validSpec()
                .setFormat(PromptFormat.newBuilder().setTemplate("Q: {question} A:{completion}"))
                .setHyperparameters(
                        Hyperparameters.newBuilder().setLearningRate(5.0).setPerDeviceTrainBatchSize(0));
        kafka.send(JOBS, envelope(jobId).setJobSubmitted(Jobs.submitted(spec)).build());

        List<TrainingEvent> events = eventsUntil(jobId, PayloadCase.JOB_REJECTED);

        assertThat(events).extracting(TrainingEvent::getPayloadCase).containsExactly(PayloadCase.JOB_REJECTED);
        assertThat(events.get(0).getProducer()).isEqualTo("trainer-service");
        assertThat(events.get(0).getJobRejected().getErrorsList())
                .extracting(ValidationError::getField, ValidationError::getMessage)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "spec.format.template", "must contain {prompt}, got \"Q: {question} A:{completion}\""),
                        org.assertj.core.groups.Tuple.tuple(
                                "spec.hyperparameters.per_device_train_batch_size", "must be in [1, 256], got 0"),
                        org.assertj.core.groups.Tuple.tuple(
                                "spec.hyperparameters.learning_rate", "must be in (0, 1], got 5.0"));
        Path jobDir = Path.of(ConfigProvider.getConfig().getValue("kotune.home", String.class), "jobs", jobId);
        assertThat(jobDir).doesNotExist();
    }

    @Test
    void sendsGarbageToTheDeadLetterTopicAndKeepsConsuming() throws Exception {
        String garbageKey = jobId("garbage");
        byte[] garbage = {(byte) 0xff, (byte) 0xfe, 0x00, 0x42, 0x13, 0x37};
        kafka.send(JOBS, garbageKey, garbage);
        String nextJob = jobId("after-garbage");
        kafka.send(JOBS, submission(nextJob));

        ConsumerRecord<String, byte[]> dead = deadLetter(garbageKey);
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(header(dead, DeadLetterPublisher.REASON)).startsWith("not a kotune.training.v1.TrainingEvent");
        assertThat(header(dead, DeadLetterPublisher.TOPIC)).isEqualTo(JOBS);
        assertThat(header(dead, DeadLetterPublisher.OFFSET)).matches("\\d+");

        assertThat(eventsUntil(nextJob, PayloadCase.JOB_VALIDATED))
                .extracting(TrainingEvent::getPayloadCase)
                .startsWith(PayloadCase.JOB_VALIDATED);
    }

    @Test
    void deadLettersEnvelopesThatAreNotUsableCommands() throws Exception {
        String noPayload = jobId("no-payload");
        kafka.send(JOBS, envelope(noPayload).build());
        String notACommand = jobId("not-a-command");
        kafka.send(
                JOBS,
                envelope(notACommand)
                        .setStarted(TrainingStarted.newBuilder().setTotalSteps(3))
                        .build());
        String noJobIdKey = jobId("no-job-id");
        kafka.send(
                JOBS,
                noJobIdKey,
                envelope("")
                        .setJobSubmitted(Jobs.submitted(Jobs.validSpec()))
                        .build()
                        .toByteArray());

        assertThat(header(deadLetter(noPayload), DeadLetterPublisher.REASON)).isEqualTo("envelope has no payload");
        assertThat(header(deadLetter(notACommand), DeadLetterPublisher.REASON))
                .isEqualTo("payload STARTED is not a command: the jobs topic carries job_submitted and "
                        + "cancel_requested");
        assertThat(header(deadLetter(noJobIdKey), DeadLetterPublisher.REASON)).isEqualTo("envelope has no job_id");
    }

    @Test
    void dropsARedeliveredEventAndRejectsAReusedJobId() throws Exception {
        String jobId = jobId("dup");
        TrainingEvent submitted = submission(jobId);
        kafka.send(JOBS, submitted);
        kafka.send(JOBS, submitted);
        TrainingEvent duplicate = submission(jobId);
        kafka.send(JOBS, duplicate);

        List<TrainingEvent> events = eventsUntil(jobId, PayloadCase.JOB_REJECTED);

        assertThat(events)
                .extracting(TrainingEvent::getPayloadCase)
                .filteredOn(c -> c != PayloadCase.FAILED)
                .containsExactly(PayloadCase.JOB_VALIDATED, PayloadCase.JOB_REJECTED);
        assertThat(events.stream()
                        .filter(e -> e.hasJobRejected())
                        .findFirst()
                        .orElseThrow()
                        .getJobRejected()
                        .getErrors(0)
                        .getField())
                .isEqualTo("job_id");
        // job identity (issue 20): the job's facts name its submission; the duplicate's rejection names the duplicate
        // and says it is one, so readers do not apply it to the job
        assertThat(events)
                .filteredOn(TrainingEvent::hasJobValidated)
                .singleElement()
                .satisfies(e -> assertThat(e.getSubmissionId()).isEqualTo(submitted.getEventId()));
        TrainingEvent rejected = events.stream()
                .filter(TrainingEvent::hasJobRejected)
                .findFirst()
                .orElseThrow();
        assertThat(rejected.getSubmissionId()).isEqualTo(duplicate.getEventId());
        assertThat(rejected.getJobRejected().getDuplicateJobId()).isTrue();
    }

    @Test
    void rejectsABadJobIdUnderItsSubmissionWithoutLookingItUp() throws Exception {
        String jobId = jobId("named");
        kafka.send(JOBS, submission(jobId));
        eventsUntil(jobId, PayloadCase.JOB_VALIDATED);
        // "<id>/." breaks the job id rule; as a path it names the accepted job's directory, so looking it up in the
        // registry found that job (a "duplicate"): now it is refused first, and its rejection keyed by the submission
        String badId = jobId + "/.";
        TrainingEvent bad = submission(badId);
        kafka.send(JOBS, bad);
        String key = JobCommandHandler.REJECTED_SUBMISSION_KEY + bad.getEventId();
        String sentinel = jobId("after-bad-id");
        kafka.send(JOBS, submission(sentinel));

        List<TrainingEvent> rejections = eventsUntil(key, PayloadCase.JOB_REJECTED);
        // one partition: once the sentinel's event came out, anything the bad submission produced is there too
        var all = kafka.read(
                EVENTS,
                r -> true,
                found -> found.stream().anyMatch(r -> sentinel.equals(r.key()) && parse(r).hasJobValidated()),
                TIMEOUT);

        assertThat(rejections).singleElement().satisfies(e -> {
            assertThat(e.getJobId()).isEqualTo(key);
            assertThat(e.getSubmissionId()).isEqualTo(bad.getEventId());
            assertThat(e.getJobRejected().getDuplicateJobId()).isFalse();
            assertThat(e.getJobRejected().getErrorsList())
                    .extracting(ValidationError::getField)
                    .containsExactly("job_id");
            assertThat(e.getJobRejected().getErrors(0).getMessage())
                    .contains(badId)
                    .contains("must match " + dev.kotune.trainer.validation.JobValidator.JOB_ID.pattern());
        });
        assertThat(all)
                .as("no event keyed by the bad id, no rejection keyed by the job it names")
                .noneMatch(r -> badId.equals(r.key()))
                .noneMatch(r -> jobId.equals(r.key()) && parse(r).hasJobRejected());
    }

    @Test
    void acknowledgesACancelForAnUnknownJobWithoutDeadLetteringOrEvents() throws Exception {
        String unknown = jobId("cancel-unknown");
        kafka.send(
                JOBS,
                envelope(unknown)
                        .setCancelRequested(TrainingJobCancelRequested.newBuilder()
                                .setReason("changed my mind")
                                .setRequestedBy("test"))
                        .build());
        // Sentinels after it: once they came out, anything the cancel produced would be there too.
        String sentinelJob = jobId("after-cancel");
        kafka.send(JOBS, submission(sentinelJob));
        String sentinelGarbage = jobId("after-cancel-garbage");
        kafka.send(JOBS, sentinelGarbage, new byte[] {(byte) 0xff});

        var events = kafka.read(
                EVENTS, r -> true, found -> found.stream().anyMatch(r -> sentinelJob.equals(r.key())), TIMEOUT);
        var dead = kafka.read(
                DLQ, r -> true, found -> found.stream().anyMatch(r -> sentinelGarbage.equals(r.key())), TIMEOUT);
        assertThat(events).extracting(ConsumerRecord::key).doesNotContain(unknown);
        assertThat(dead).extracting(ConsumerRecord::key).doesNotContain(unknown);
    }

    @Test
    void isLiveAndReadyWithKafkaChecks() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(BrokerReadiness.NAME))
                .body("checks.name", hasItem("SmallRye Reactive Messaging - readiness check"));
    }

    @Test
    void countsReceivedRecordsByOutcome() {
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String outcome : List.of("validated", "rejected", "dlq", "cancel", "duplicate")) {
            assertThat(metrics).contains("kotune_jobs_received_total{outcome=\"" + outcome + "\"}");
        }
    }
}
