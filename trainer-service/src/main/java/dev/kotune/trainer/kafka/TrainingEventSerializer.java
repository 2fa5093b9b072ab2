package dev.kotune.trainer.kafka;

import dev.kotune.proto.training.v1.TrainingEvent;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serializer of the {@code TrainingEvent} envelope: its protobuf bytes. Stateless and thread-safe. */
public final class TrainingEventSerializer implements Serializer<TrainingEvent> {

    @Override
    public byte[] serialize(String topic, TrainingEvent event) {
        return event == null ? null : event.toByteArray();
    }
}
