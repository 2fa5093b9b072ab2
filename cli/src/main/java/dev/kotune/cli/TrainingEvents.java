package dev.kotune.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import dev.kotune.proto.training.v1.JobState;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingJobCancelRequested;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import dev.kotune.proto.training.v1.TrainingJobSubmitted;
import dev.kotune.proto.training.v1.ValidationError;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producing job commands and reading lifecycle events on the training topics (the CLI's Kafka edge). */
final class TrainingEvents {
    private TrainingEvents() {}

    /** Writes a {@code TrainingJobSubmitted} envelope (key = job id) and waits for the broker's acknowledgement. */
    static TrainingEvent submit(KafkaOptions kafka, String jobId, TrainingJobSpec spec, Duration timeout) {
        TrainingEvent event = envelope(jobId)
                .setJobSubmitted(TrainingJobSubmitted.newBuilder()
                        .setSpec(spec)
                        .setSubmittedBy(System.getProperty("user.name", "unknown")))
                .build();
        return publish(kafka, event, timeout);
    }

    /** Writes a {@code TrainingJobCancelRequested} envelope (key = job id) to the jobs topic and waits for the ack. */
    static TrainingEvent cancel(KafkaOptions kafka, String jobId, String reason, Duration timeout) {
        TrainingEvent event = envelope(jobId)
                .setCancelRequested(TrainingJobCancelRequested.newBuilder()
                        .setReason(reason)
                        .setRequestedBy(System.getProperty("user.name", "unknown")))
                .build();
        return publish(kafka, event, timeout);
    }

    private static TrainingEvent.Builder envelope(String jobId) {
        return TrainingEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setJobId(jobId)
                .setOccurredAt(now())
                .setProducer("kotune-cli");
    }

    /** Writes a command to the jobs topic, keyed by its job id, and waits for the broker's acknowledgement. */
    private static TrainingEvent publish(KafkaOptions kafka, TrainingEvent event, Duration timeout) {
        String jobId = event.getJobId();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        int requestTimeout = (int) Math.min(timeout.toMillis(), 30_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), requestTimeout));
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(kafka.jobsTopic(), jobId, event.toByteArray()))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return event;
        } catch (ExecutionException | TimeoutException e) {
            throw new UserException("could not write to Kafka at " + kafka.bootstrapServers() + " (topic "
                    + kafka.jobsTopic() + "): " + rootMessage(e) + ". Is a broker running? Try `./kotune broker`.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new UserException("could not write to Kafka at " + kafka.bootstrapServers() + ": " + rootMessage(e));
        }
    }

    /** A consumer of the events topic positioned at its beginning (no consumer group: reads are side-effect free). */
    static final class Reader implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final String topic;
        private final String bootstrapServers;

        Reader(KafkaOptions kafka) {
            this(kafka, kafka.eventsTopic());
        }

        /** A reader of {@code topic} (the events topic, or the jobs topic for the commands written to it). */
        Reader(KafkaOptions kafka, String topic) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
            this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
            this.topic = topic;
            this.bootstrapServers = kafka.bootstrapServers();
        }

        /** Assigns every partition of the topic from offset 0, waiting up to {@code timeout} for the topic to exist. */
        void seekToBeginning(Duration timeout) {
            if (!seekToBeginningIfExists(timeout)) {
                throw new UserException(
                        "topic " + topic + " not found on the broker within " + timeout.toSeconds() + " s");
            }
        }

        /** As {@link #seekToBeginning}, but false (nothing assigned) when the topic does not appear within {@code timeout}. */
        boolean seekToBeginningIfExists(Duration timeout) {
            Instant deadline = Instant.now().plus(timeout);
            List<PartitionInfo> partitions = null;
            boolean answered = false;
            while (Instant.now().isBefore(deadline)) {
                try {
                    partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                    answered = true;
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    partitions = null;
                }
                if (partitions != null && !partitions.isEmpty()) {
                    break;
                }
                sleep(500);
            }
            if (!answered) {
                throw new UserException("no answer from Kafka at " + bootstrapServers + " within " + timeout.toSeconds()
                        + " s (topic " + topic + "). Is a broker running? Try `./kotune broker`.");
            }
            if (partitions == null || partitions.isEmpty()) {
                return false;
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            return true;
        }

        String topic() {
            return topic;
        }

        /** Every event currently in the topic (up to the end offsets at call time). */
        List<TrainingEvent> readAll() {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            List<TrainingEvent> out = new ArrayList<>();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    parse(record.value()).ifPresent(out::add);
                }
            }
            return out;
        }

        /** Polls once and returns the parsed events (unparseable records are skipped: the DLQ is the trainer's job). */
        List<TrainingEvent> poll(Duration wait) {
            List<TrainingEvent> out = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : consumer.poll(wait)) {
                parse(record.value()).ifPresent(out::add);
            }
            return out;
        }

        /**
         * Follows the topic, handing each event of {@code jobId} to {@code onEvent}, until one satisfies {@code done}.
         * Returns that event.
         */
        TrainingEvent follow(
                String jobId,
                java.util.function.Consumer<TrainingEvent> onEvent,
                Predicate<TrainingEvent> done,
                Duration timeout) {
            Instant deadline = Instant.now().plus(timeout);
            while (Instant.now().isBefore(deadline)) {
                for (TrainingEvent event : poll(Duration.ofMillis(500))) {
                    if (!event.getJobId().equals(jobId)) {
                        continue;
                    }
                    onEvent.accept(event);
                    if (done.test(event)) {
                        return event;
                    }
                }
            }
            throw new UserException("no final event for job " + jobId + " within " + timeout.toSeconds() + " s", 3);
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }

        private static java.util.Optional<TrainingEvent> parse(byte[] value) {
            try {
                return java.util.Optional.of(TrainingEvent.parseFrom(value));
            } catch (InvalidProtocolBufferException e) {
                return java.util.Optional.empty();
            }
        }
    }

    /**
     * The job state an event moves its job to, or UNSPECIFIED when it does not change the state. The rejection of a
     * duplicate submission ({@code duplicate_job_id}: the job id belongs to an earlier, accepted submission) concerns
     * only that submission, never the job: UNSPECIFIED.
     */
    static JobState stateAfter(TrainingEvent event) {
        if (isDuplicateRejection(event)) {
            return JobState.JOB_STATE_UNSPECIFIED;
        }
        return switch (event.getPayloadCase()) {
            case JOB_SUBMITTED -> JobState.JOB_STATE_SUBMITTED;
            case JOB_VALIDATED -> JobState.JOB_STATE_VALIDATED;
            case JOB_REJECTED -> JobState.JOB_STATE_REJECTED;
            case STARTED, PROGRESS, CHECKPOINT_SAVED, EVALUATED, CHECKPOINT_EXPORTED -> JobState.JOB_STATE_RUNNING;
            case SUCCEEDED -> JobState.JOB_STATE_SUCCEEDED;
            case FAILED -> JobState.JOB_STATE_FAILED;
            case CANCELLED -> JobState.JOB_STATE_CANCELLED;
            case CANCEL_REQUESTED, PAYLOAD_NOT_SET -> JobState.JOB_STATE_UNSPECIFIED;
        };
    }

    /** A refused duplicate submission of an existing job id: readers leave the job as it was. */
    static boolean isDuplicateRejection(TrainingEvent event) {
        return event.hasJobRejected() && event.getJobRejected().getDuplicateJobId();
    }

    /** True for the events after which a job produces nothing more. */
    static boolean isTerminal(TrainingEvent event) {
        JobState state = stateAfter(event);
        return state == JobState.JOB_STATE_REJECTED
                || state == JobState.JOB_STATE_SUCCEEDED
                || state == JobState.JOB_STATE_FAILED
                || state == JobState.JOB_STATE_CANCELLED;
    }

    /** One human-readable line for an event. */
    static String describe(TrainingEvent e) {
        return switch (e.getPayloadCase()) {
            case JOB_SUBMITTED ->
                "submitted: base_model=" + e.getJobSubmitted().getSpec().getBaseModel();
            case CANCEL_REQUESTED ->
                "cancel requested: " + e.getCancelRequested().getReason();
            case JOB_VALIDATED ->
                String.format(
                        "validated: %d examples, %d steps",
                        e.getJobValidated().getNumExamples(),
                        e.getJobValidated().getTotalSteps());
            case JOB_REJECTED -> describeRejected(e);
            case STARTED -> describeStarted(e);
            case PROGRESS -> describeProgress(e);
            case CHECKPOINT_SAVED ->
                "checkpoint saved: step " + e.getCheckpointSaved().getStep() + " at "
                        + e.getCheckpointSaved().getPath();
            case EVALUATED ->
                String.format(
                        "evaluated: step %d eval_loss %.4f",
                        e.getEvaluated().getStep(), e.getEvaluated().getEvalLoss());
            case CHECKPOINT_EXPORTED ->
                "exported (" + e.getCheckpointExported().getGraphFlavor() + "): "
                        + e.getCheckpointExported().getExportPath();
            case SUCCEEDED -> describeSucceeded(e);
            case FAILED ->
                "failed [" + e.getFailed().getErrorType() + "]: "
                        + e.getFailed().getReason();
            case CANCELLED ->
                "cancelled at step " + e.getCancelled().getStep() + ": "
                        + e.getCancelled().getReason();
            case PAYLOAD_NOT_SET -> "(empty event)";
        };
    }

    private static String describeRejected(TrainingEvent e) {
        return (isDuplicateRejection(e)
                        ? "duplicate submission " + e.getSubmissionId() + " refused (the job keeps its state): "
                        : "rejected: ")
                + e.getJobRejected().getErrorsList().stream()
                        .map(TrainingEvents::describe)
                        .collect(Collectors.joining("; "));
    }

    private static String describeStarted(TrainingEvent e) {
        return String.format(
                        "started: %d steps, %d examples, %d parameters on %s",
                        e.getStarted().getTotalSteps(),
                        e.getStarted().getNumExamples(),
                        e.getStarted().getNumParameters(),
                        e.getStarted().getDevice())
                + (e.getStarted().getResumedFromStep() > 0
                        ? ", resumed_from_step " + e.getStarted().getResumedFromStep()
                        : "")
                + (e.getStarted().getAttempt() > 1
                        ? ", attempt " + e.getStarted().getAttempt()
                        : "");
    }

    private static String describeProgress(TrainingEvent e) {
        return !e.getProgress().getStatus().isEmpty()
                ? e.getProgress().getStatus()
                : String.format(
                        "step %d/%d epoch %.2f loss %.4f grad_norm %.4f lr %.3g",
                        e.getProgress().getStep(),
                        e.getProgress().getTotalSteps(),
                        e.getProgress().getEpoch(),
                        e.getProgress().getLoss(),
                        e.getProgress().getGradNorm(),
                        e.getProgress().getLearningRate());
    }

    private static String describeSucceeded(TrainingEvent e) {
        return String.format(
                        "succeeded: global_step %d training_loss %.4f runtime %.1f s",
                        e.getSucceeded().getMetrics().getGlobalStep(),
                        e.getSucceeded().getMetrics().getTrainingLoss(),
                        e.getSucceeded().getMetrics().getTrainRuntime())
                + (e.getSucceeded().getMetrics().getSegmentStartStep() > 0
                        ? " (runtime of the steps after "
                                + e.getSucceeded().getMetrics().getSegmentStartStep() + ", where it resumed)"
                        : "");
    }

    private static String describe(ValidationError error) {
        return error.getField() + ": " + error.getMessage();
    }

    static Timestamp now() {
        Instant now = Instant.now();
        return Timestamp.newBuilder()
                .setSeconds(now.getEpochSecond())
                .setNanos(now.getNano())
                .build();
    }

    static Instant instant(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        }
    }
}
