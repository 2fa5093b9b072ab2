package dev.kotune.trainer.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kotune.proto.training.v1.TrainingEvent;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer of the {@code TrainingEvent} envelope. Strict: bytes that do not parse as protobuf, and a
 * parsed message that is not a usable envelope (no payload this version knows, which is what random bytes usually
 * parse to; no job_id; no event_id), raise a {@link SerializationException} whose message says why. Unknown fields
 * beside a known payload are kept (protobuf's forward compatibility). A null value (tombstone) stays null.
 * Stateless and thread-safe.
 */
public final class TrainingEventDeserializer implements Deserializer<TrainingEvent> {

    @Override
    public TrainingEvent deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        TrainingEvent event;
        try {
            event = TrainingEvent.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new SerializationException(
                    "not a kotune.training.v1.TrainingEvent (" + data.length + " bytes): " + e.getMessage());
        }
        String problem = problem(event);
        if (problem != null) {
            throw new SerializationException(problem);
        }
        return event;
    }

    /** Why {@code event} is not a usable envelope, or null when it is. */
    public static String problem(TrainingEvent event) {
        if (event.getPayloadCase() == TrainingEvent.PayloadCase.PAYLOAD_NOT_SET) {
            return event.getUnknownFields().asMap().isEmpty()
                    ? "envelope has no payload"
                    : "envelope has no payload this version knows (unknown fields "
                            + event.getUnknownFields().asMap().keySet() + ")";
        }
        if (event.getJobId().isBlank()) {
            return "envelope has no job_id";
        }
        if (event.getEventId().isBlank()) {
            return "envelope has no event_id";
        }
        return null;
    }
}
