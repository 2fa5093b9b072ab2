package dev.kotune.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import dev.kotune.broker.KafkaBrokerTestResource;
import dev.kotune.broker.SharedKafkaBroker;
import dev.kotune.proto.training.v1.Hyperparameters;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingEvent.PayloadCase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * What ships: the packaged jar ({@code target/quarkus-app/quarkus-run.jar}, started by Quarkus in its own JVM with the
 * prod profile) against a real KRaft broker in a child JVM of the test JVM ({@link KafkaBrokerTestResource} passes
 * its bootstrap servers to the jar). Readiness includes the Kafka checks, and a job with a bad hyperparameter sent to
 * {@code kotune.training.jobs} comes back as {@code TrainingJobRejected} on {@code kotune.training.events}.
 */
@QuarkusIntegrationTest
@WithTestResource(KafkaBrokerTestResource.class)
@WithTestResource(TrainerHomeResource.class)
class TrainerServiceIT {
    private static final String JOBS = "kotune.training.jobs";
    private static final String EVENTS = "kotune.training.events";

    @Test
    void isReadyWithKafkaAndRejectsABadJobOverIt() throws Exception {
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(BrokerReadiness.NAME))
                .body("checks.name", hasItem("SmallRye Reactive Messaging - readiness check"));

        try (KafkaTestClient kafka = new KafkaTestClient(SharedKafkaBroker.bootstrapServers())) {
            kafka.createTopics(JOBS, EVENTS);
            String jobId = "it-" + UUID.randomUUID().toString().substring(0, 8);
            var spec = Jobs.validSpec()
                    .setHyperparameters(Hyperparameters.newBuilder().setLearningRate(5.0));
            Instant now = Instant.now();
            kafka.send(
                    JOBS,
                    TrainingEvent.newBuilder()
                            .setEventId(UUID.randomUUID().toString())
                            .setJobId(jobId)
                            .setOccurredAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                            .setProducer("trainer-service-it")
                            .setJobSubmitted(Jobs.submitted(spec))
                            .build());

            List<TrainingEvent> events = kafka
                    .read(
                            EVENTS,
                            r -> jobId.equals(r.key()),
                            found ->
                                    found.stream().anyMatch(r -> parse(r).getPayloadCase() == PayloadCase.JOB_REJECTED),
                            Duration.ofSeconds(60))
                    .stream()
                    .map(TrainerServiceIT::parse)
                    .toList();

            assertThat(events).extracting(TrainingEvent::getPayloadCase).containsExactly(PayloadCase.JOB_REJECTED);
            assertThat(events.get(0).getProducer()).isEqualTo("trainer-service");
            assertThat(events.get(0).getJobRejected().getErrorsList())
                    .anySatisfy(e -> assertThat(e.getField()).contains("learning_rate"));
        }
    }

    private static TrainingEvent parse(ConsumerRecord<String, byte[]> record) {
        try {
            return TrainingEvent.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
