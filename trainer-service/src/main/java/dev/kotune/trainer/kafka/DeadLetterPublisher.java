package dev.kotune.trainer.kafka;

import dev.kotune.trainer.TrainerConfig;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Copies a record that could not be handled to the dead-letter topic ({@code kotune.topics.dlq}): same key, same
 * value bytes, and headers saying why and where it came from. The header names are the ones SmallRye's own
 * dead-letter strategy writes, so tools that read those read these: {@value #REASON}, {@value #TOPIC},
 * {@value #PARTITION}, {@value #OFFSET}. Thread-safe.
 */
@ApplicationScoped
public class DeadLetterPublisher {

    /** Header: why the record was not handled, UTF-8 text. */
    public static final String REASON = "dead-letter-reason";
    /** Header: the topic it was read from. */
    public static final String TOPIC = "dead-letter-topic";
    /** Header: its partition, decimal text. */
    public static final String PARTITION = "dead-letter-partition";
    /** Header: its offset, decimal text. */
    public static final String OFFSET = "dead-letter-offset";

    private final MutinyEmitter<byte[]> emitter;
    private final TrainerConfig config;

    public DeadLetterPublisher(@Channel("training-dlq") MutinyEmitter<byte[]> emitter, TrainerConfig config) {
        this.emitter = emitter;
        this.config = config;
    }

    /**
     * Sends the record to the DLQ and waits for the ack.
     *
     * @param value the original bytes; null (a tombstone) is sent as an empty value
     * @throws PublishFailedException when the broker did not take it in time
     */
    public void send(String topic, int partition, long offset, String key, byte[] value, String reason) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        headers.add(PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        headers.add(OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        Message<byte[]> message = Message.of(value == null ? new byte[0] : value)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .withHeaders(headers)
                        .build());
        try {
            emitter.sendMessage(message).await().atMost(config.sendTimeout());
        } catch (RuntimeException e) {
            throw new PublishFailedException("could not publish to the dead-letter topic: " + e, e);
        }
    }
}
