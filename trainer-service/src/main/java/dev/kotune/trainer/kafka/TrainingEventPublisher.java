package dev.kotune.trainer.kafka;

import com.google.protobuf.Timestamp;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.trainer.TrainerConfig;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes {@code TrainingEvent}s to the events topic ({@code kotune.topics.events}), key = job id, with a fresh
 * event_id, occurred_at = now and producer = {@code kotune.trainer.producer}, and waits for the broker's ack.
 * Thread-safe.
 */
@ApplicationScoped
public class TrainingEventPublisher {

    private final MutinyEmitter<TrainingEvent> emitter;
    private final TrainerConfig config;

    public TrainingEventPublisher(
            @Channel("training-events") MutinyEmitter<TrainingEvent> emitter, TrainerConfig config) {
        this.emitter = emitter;
        this.config = config;
    }

    /**
     * Builds the envelope, lets {@code payload} set exactly one fact, sends it and waits for the ack.
     *
     * @return the event as sent
     * @throws PublishFailedException when the broker did not take it within {@code kotune.trainer.send-timeout}
     */
    public TrainingEvent publish(String jobId, UnaryOperator<TrainingEvent.Builder> payload) {
        Instant now = Instant.now();
        TrainingEvent event = payload.apply(TrainingEvent.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setJobId(jobId)
                        .setOccurredAt(Timestamp.newBuilder()
                                .setSeconds(now.getEpochSecond())
                                .setNanos(now.getNano()))
                        .setProducer(config.producer()))
                .build();
        Message<TrainingEvent> message = Message.of(event)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(jobId)
                        .build());
        try {
            emitter.sendMessage(message).await().atMost(config.sendTimeout());
        } catch (RuntimeException e) {
            throw new PublishFailedException(
                    "could not publish " + event.getPayloadCase() + " of job " + jobId + " to the events topic: " + e,
                    e);
        }
        return event;
    }
}
