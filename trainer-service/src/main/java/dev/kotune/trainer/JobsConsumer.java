package dev.kotune.trainer;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The consumer of the jobs topic ({@code kotune.topics.jobs}, group {@code kotune.trainer.group-id}): records come
 * in one at a time, in partition order, and are handled on one thread ({@code kotune-jobs-consumer}). Each record is
 * acknowledged by hand once its outcome is on the broker: a rejection, dead letter or cancel request when handled, an
 * accepted job only when its final event is (see {@link JobWorker}). Commit strategy {@code throttled} commits a
 * partition's offset up to its oldest record not yet acknowledged, so a job that has not ended is read again after a
 * crash or by the partition's next owner. On a rebalance, {@link Rebalance} hands the revoked partitions' jobs over
 * before the partitions move. Thread-safe.
 */
@ApplicationScoped
public class JobsConsumer {

    private static final Logger LOG = Logger.getLogger(JobsConsumer.class);

    private final JobCommandHandler handler;
    private final ExecutorService thread =
            Executors.newSingleThreadExecutor(r -> new Thread(r, "kotune-jobs-consumer"));

    public JobsConsumer(JobCommandHandler handler) {
        this.handler = handler;
    }

    void onStop(@Observes ShutdownEvent event) {
        thread.shutdownNow();
    }

    @Incoming("training-jobs")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<String, byte[]> record =
                message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        JobWorker.Completion done = new JobWorker.Completion() {
            @Override
            public void ack() {
                message.ack();
            }

            @Override
            public void nack(Throwable reason) {
                message.nack(reason);
            }
        };
        return CompletableFuture.runAsync(
                () -> {
                    try {
                        handler.handle(
                                record.getTopic(),
                                record.getPartition(),
                                record.getOffset(),
                                record.getKey(),
                                message.getPayload(),
                                done);
                    } catch (RuntimeException e) {
                        LOG.errorf(
                                "record %s-%d@%d not handled (%s): it stays uncommitted",
                                record.getTopic(), record.getPartition(), record.getOffset(), e.getMessage());
                        done.nack(e);
                    }
                },
                thread);
    }

    /**
     * Hands over the jobs of partitions this replica loses in a rebalance ({@link JobWorker#release}) before they
     * move, so one job never runs on two replicas. Called on the consumer's polling thread.
     */
    @ApplicationScoped
    @Identifier(Rebalance.NAME)
    public static class Rebalance implements KafkaConsumerRebalanceListener {
        /** The name {@code consumer-rebalance-listener.name} refers to. */
        public static final String NAME = "kotune-trainer-rebalance";

        private static final Duration HANDOVER_TIMEOUT = Duration.ofSeconds(60);

        private final JobWorker worker;

        public Rebalance(JobWorker worker) {
            this.worker = worker;
        }

        @Override
        public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            release(partitions);
        }

        @Override
        public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            release(partitions);
        }

        @Override
        public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            LOG.infof("partitions assigned: %s", partitions);
            worker.assigned(names(partitions));
        }

        private static List<String> names(Collection<TopicPartition> partitions) {
            return partitions.stream().map(p -> p.topic() + "-" + p.partition()).toList();
        }

        private void release(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            LOG.infof("partitions revoked: %s", partitions);
            worker.release(names(partitions), HANDOVER_TIMEOUT);
        }
    }
}
