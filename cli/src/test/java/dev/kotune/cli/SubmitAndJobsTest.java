package dev.kotune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.broker.KafkaBootstrapServers;
import dev.kotune.broker.KafkaBrokerExtension;
import dev.kotune.proto.training.v1.TrainMetrics;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingJobValidated;
import dev.kotune.proto.training.v1.TrainingProgress;
import dev.kotune.proto.training.v1.TrainingSucceeded;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code submit} and {@code jobs} against a real KRaft broker started from the Kafka jars. */
@ExtendWith(KafkaBrokerExtension.class)
class SubmitAndJobsTest {

    @Test
    void submitWritesTheNotebookJobToTheJobsTopicKeyedByJobId(@KafkaBootstrapServers String kafka) {
        KotuneCommandTest.Run run = KotuneCommandTest.run(
                "submit",
                "--notebook",
                "--job-id",
                "nb-1",
                "--bootstrap-servers",
                kafka,
                "--jobs-topic",
                "test.jobs.submit");
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("submitted nb-1 to test.jobs.submit");

        List<ConsumerRecord<String, byte[]>> records = consumeAll(kafka, "test.jobs.submit", 1);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).key()).isEqualTo("nb-1");
        TrainingEvent event = parse(records.get(0).value());
        assertThat(event.getJobId()).isEqualTo("nb-1");
        assertThat(event.getProducer()).isEqualTo("kotune-cli");
        assertThat(UUID.fromString(event.getEventId())).isNotNull();
        assertThat(Duration.between(TrainingEvents.instant(event.getOccurredAt()), Instant.now()))
                .isLessThan(Duration.ofMinutes(1));
        assertThat(event.getJobSubmitted().getSpec()).isEqualTo(NotebookJob.spec(NotebookJob.BUILT_IN_BASE_MODEL));
    }

    @Test
    void jobsDerivesEachJobsStateFromItsEvents(@KafkaBootstrapServers String kafka) {
        String topic = "test.events.jobs";
        produce(
                kafka,
                topic,
                event(
                        "a",
                        b -> b.setJobValidated(TrainingJobValidated.newBuilder()
                                .setNumExamples(4)
                                .setTotalSteps(20))),
                event(
                        "b",
                        b -> b.setJobValidated(TrainingJobValidated.newBuilder()
                                .setNumExamples(8)
                                .setTotalSteps(40))),
                event(
                        "a",
                        b -> b.setProgress(TrainingProgress.newBuilder()
                                .setStep(10)
                                .setTotalSteps(20)
                                .setLoss(2.5))),
                event(
                        "a",
                        b -> b.setSucceeded(TrainingSucceeded.newBuilder()
                                .setMetrics(TrainMetrics.newBuilder()
                                        .setGlobalStep(20)
                                        .setTrainingLoss(1.137)))));

        KotuneCommandTest.Run summary = KotuneCommandTest.run(
                "jobs", "--bootstrap-servers", kafka, "--events-topic", topic, "--jobs-topic", "test.jobs.jobs");
        assertThat(summary.exitCode()).isZero();
        assertThat(summary.out())
                .containsPattern("(?m)^JOB\\s+STATE\\s+STEP\\s+LOSS\\s+BASE MODEL\\s+AGE\\s+LAST EVENT$");
        assertThat(summary.out())
                .containsPattern(
                        "(?m)^a\\s+SUCCEEDED\\s+20/20\\s+1\\.1370\\s+-\\s+\\d+s\\s+succeeded: global_step 20 training_loss 1.1370 runtime ");
        assertThat(summary.out())
                .containsPattern("(?m)^b\\s+VALIDATED\\s+0/40\\s+-\\s+-\\s+\\d+s\\s+validated: 8 examples, 40 steps$");
        assertThat(KotuneCommandTest.run(
                                "jobs",
                                "list",
                                "--bootstrap-servers",
                                kafka,
                                "--events-topic",
                                topic,
                                "--jobs-topic",
                                "test.jobs.jobs")
                        .out())
                .isEqualTo(summary.out());

        KotuneCommandTest.Run detail =
                KotuneCommandTest.run("jobs", "--bootstrap-servers", kafka, "--events-topic", topic, "--job-id", "a");
        assertThat(detail.exitCode()).isZero();
        assertThat(detail.err()).contains("--job-id is deprecated; use `kotune jobs watch a`");
        assertThat(detail.out().lines().toList()).hasSize(3);
        assertThat(detail.out()).contains("step 10/20").doesNotContain("40 steps");
    }

    @Test
    void jobsSaysSoWhenAJobHasNoEvents(@KafkaBootstrapServers String kafka) {
        String topic = "test.events.empty";
        produce(kafka, topic, event("other", b -> b.setJobValidated(TrainingJobValidated.getDefaultInstance())));
        KotuneCommandTest.Run run = KotuneCommandTest.run(
                "jobs", "--bootstrap-servers", kafka, "--events-topic", topic, "--job-id", "missing");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).contains("no events for job missing on " + topic);
    }

    static TrainingEvent event(String jobId, java.util.function.Consumer<TrainingEvent.Builder> payload) {
        TrainingEvent.Builder b = TrainingEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setJobId(jobId)
                .setOccurredAt(TrainingEvents.now())
                .setProducer("test");
        payload.accept(b);
        return b.build();
    }

    static void produce(String kafka, String topic, TrainingEvent... events) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (TrainingEvent e : events) {
                producer.send(new ProducerRecord<>(topic, e.getJobId(), e.toByteArray()));
            }
            producer.flush();
        }
    }

    static List<ConsumerRecord<String, byte[]>> consumeAll(String kafka, String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Instant deadline = Instant.now().plusSeconds(30);
            while (out.size() < expected && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
            // One more short poll: nothing beyond what was expected must be there.
            consumer.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        return out;
    }

    static TrainingEvent parse(byte[] bytes) {
        try {
            return TrainingEvent.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
