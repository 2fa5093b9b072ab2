package dev.kotune.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.training.v1.Dataset;
import dev.kotune.proto.training.v1.EvaluationSpec;
import dev.kotune.proto.training.v1.Example;
import dev.kotune.proto.training.v1.Hyperparameters;
import dev.kotune.proto.training.v1.InlineExamples;
import dev.kotune.proto.training.v1.PromptFormat;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import dev.kotune.proto.training.v1.TrainingJobSubmitted;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class KafkaRoundTripTest {

    private static final String TOPIC = "kotune.training.jobs";

    @Test
    void roundTripsATrainingEventThroughTheRealBroker(@KafkaBootstrapServers String bootstrapServers) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            TopicDescription description = admin.describeTopics(List.of(TOPIC))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(TOPIC);
            assertThat(description.partitions()).hasSize(1);
            assertThat(description.partitions().get(0).leader().id()).isEqualTo(KraftProperties.NODE_ID);
        }

        TrainingEvent sent = submittedEvent();
        RecordMetadata written;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true),
                new StringSerializer(),
                new ByteArraySerializer())) {
            written = producer.send(new ProducerRecord<>(TOPIC, sent.getJobId(), sent.toByteArray()))
                    .get(30, TimeUnit.SECONDS);
        }
        assertThat(written.topic()).isEqualTo(TOPIC);
        assertThat(written.partition()).isZero();

        ConsumerRecord<String, byte[]> record = consumeOne(bootstrapServers);
        assertThat(record.offset()).isEqualTo(written.offset());
        assertThat(record.key()).isEqualTo("job-2024-0001");

        TrainingEvent received = TrainingEvent.parseFrom(record.value());
        assertThat(received.getEventId()).isEqualTo(sent.getEventId());
        assertThat(received.getJobId()).isEqualTo("job-2024-0001");
        assertThat(received.getOccurredAt()).isEqualTo(sent.getOccurredAt());
        assertThat(received.getOccurredAt().getNanos()).isEqualTo(123_456_789);
        assertThat(received.getProducer()).isEqualTo("kafka-broker/KafkaRoundTripTest");
        assertThat(received.getPayloadCase()).isEqualTo(TrainingEvent.PayloadCase.JOB_SUBMITTED);
        TrainingJobSpec spec = received.getJobSubmitted().getSpec();
        assertThat(received.getJobSubmitted().getSubmittedBy()).isEqualTo("누군가@kotune");
        assertThat(spec.getBaseModel()).isEqualTo("skt/kogpt2-base-v2");
        assertThat(spec.getDataset().getInline().getExamplesList())
                .extracting(Example::getPrompt, Example::getCompletion)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("안녕하세요?", " 안녕하세요! 무엇을 도와드릴까요?"),
                        org.assertj.core.groups.Tuple.tuple("12시 땡!", " 하루가 또 가네요."));
        assertThat(spec.getFormat().getTemplate()).isEqualTo("질문: {prompt}\n답변:{completion}");
        assertThat(spec.getFormat().hasAppendEos()).isTrue();
        assertThat(spec.getFormat().getAppendEos()).isFalse();
        assertThat(spec.getHyperparameters().getLearningRate()).isEqualTo(3e-5);
        assertThat(spec.getHyperparameters().getNumTrainEpochs()).isEqualTo(20);
        assertThat(spec.getHyperparameters().hasWeightDecay()).isFalse();
        assertThat(spec.getEvaluation().getGeneration().getTopP()).isEqualTo(0.9f);
        assertThat(spec.getEvaluation().getGeneration().getSeed()).isEqualTo(-1L); // uint64 max travels intact
        assertThat(spec.getLabelsMap()).containsExactlyInAnyOrderEntriesOf(Map.of("team", "nlp", "실험", "1"));
        assertThat(received.getUnknownFields().asMap()).isEmpty();
        assertThat(received).isEqualTo(sent); // every field, including the ones not spelled out above
    }

    private static ConsumerRecord<String, byte[]> consumeOne(String bootstrapServers) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "kotune-roundtrip-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            consumer.commitSync(Duration.ofSeconds(10)); // the group coordinator (offsets topic) works too
        }
        assertThat(records).as("records consumed from %s", TOPIC).hasSize(1);
        return records.get(0);
    }

    private static TrainingEvent submittedEvent() {
        Instant occurredAt = Instant.parse("2024-05-01T12:34:56.123456789Z");
        TrainingJobSpec spec = TrainingJobSpec.newBuilder()
                .setBaseModel("skt/kogpt2-base-v2")
                .setTokenizer("skt/kogpt2-base-v2")
                .setDataset(Dataset.newBuilder()
                        .setInline(InlineExamples.newBuilder()
                                .addExamples(
                                        Example.newBuilder().setPrompt("안녕하세요?").setCompletion(" 안녕하세요! 무엇을 도와드릴까요?"))
                                .addExamples(
                                        Example.newBuilder().setPrompt("12시 땡!").setCompletion(" 하루가 또 가네요.")))
                        .setLimit(2))
                .setFormat(PromptFormat.newBuilder()
                        .setTemplate("질문: {prompt}\n답변:{completion}")
                        .setAppendEos(false)
                        .setMaxLength(64)
                        .setCompletionOnly(true))
                .setHyperparameters(Hyperparameters.newBuilder()
                        .setNumTrainEpochs(20)
                        .setPerDeviceTrainBatchSize(4)
                        .setLearningRate(3e-5)
                        .setWarmupSteps(10)
                        .setSeed(42)
                        .setLoggingSteps(10)
                        .setDropout(true))
                .setEvaluation(EvaluationSpec.newBuilder()
                        .addPrompts("오늘 뭐 먹지?")
                        .setGeneration(GenerationParameters.newBuilder()
                                .setDoSample(true)
                                .setTemperature(0.3f)
                                .setTopP(0.9f)
                                .setRepetitionPenalty(1.2f)
                                .setNoRepeatNgramSize(2)
                                .setMaxLength(64)
                                .addStop("\n질문:")
                                .setSeed(-1L)))
                .putLabels("team", "nlp")
                .putLabels("실험", "1")
                .build();
        return TrainingEvent.newBuilder()
                .setEventId(UUID.nameUUIDFromBytes("roundtrip".getBytes(StandardCharsets.UTF_8))
                        .toString())
                .setJobId("job-2024-0001")
                .setOccurredAt(Timestamp.newBuilder()
                        .setSeconds(occurredAt.getEpochSecond())
                        .setNanos(occurredAt.getNano()))
                .setProducer("kafka-broker/KafkaRoundTripTest")
                .setJobSubmitted(TrainingJobSubmitted.newBuilder().setSpec(spec).setSubmittedBy("누군가@kotune"))
                .build();
    }
}
