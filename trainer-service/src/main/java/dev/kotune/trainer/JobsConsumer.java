package dev.kotune.trainer;

import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The consumer of the jobs topic ({@code kotune.topics.jobs}, group {@code kotune.trainer.group-id}): records come
 * in one at a time, in partition order, on a worker thread ({@code @Blocking}, ordered); the offset is committed
 * after {@link JobCommandHandler#handle} returns (commit-strategy {@code latest}). Thread-safe.
 */
@ApplicationScoped
public class JobsConsumer {

    private final JobCommandHandler handler;

    public JobsConsumer(JobCommandHandler handler) {
        this.handler = handler;
    }

    @Incoming("training-jobs")
    @Blocking(ordered = true)
    public void consume(ConsumerRecord<String, byte[]> record) {
        handler.handle(record.topic(), record.partition(), record.offset(), record.key(), record.value());
    }
}
