package dev.kotune.trainer.kafka;

import com.google.protobuf.Timestamp;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.trainer.TrainerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.errors.RetriableException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes {@code TrainingEvent}s to the events topic ({@code kotune.topics.events}), key = job id, with a fresh
 * event_id, the submission id, occurred_at = now and producer = {@code kotune.trainer.producer}.
 *
 * <p>Nothing waits for the broker on the caller's thread unless it asks to: events go into a bounded, ordered
 * {@link EventBuffer} ({@code kotune.trainer.event-buffer-size}) and one sender thread per service
 * ({@code kotune-event-publisher}) sends them one at a time, each only after the broker acknowledged the one before,
 * so every job's events reach the topic in the order they were published. A send that fails with a retriable error
 * (broker unreachable, leader moving, delivery timeout) is sent again, with the same event_id, after a backoff of 0.5
 * s doubling to 10 s, for as long as it takes: an outage of any length delays events but loses none. A send the broker
 * refuses for good (record too large, not authorised, unserialisable) fails that event's future with
 * {@link PublishFailedException}; lifecycle callers see it, and the job's command record then stays uncommitted.
 * Thread-safe.
 */
@ApplicationScoped
public class TrainingEventPublisher {

    private static final Logger LOG = Logger.getLogger(TrainingEventPublisher.class);
    private static final long MIN_BACKOFF_MS = 500;
    private static final long MAX_BACKOFF_MS = 10_000;

    private final MutinyEmitter<TrainingEvent> emitter;
    private final TrainerConfig config;
    private final EventBuffer buffer;
    private final Thread sender;
    private volatile boolean stopping;

    public TrainingEventPublisher(
            @Channel("training-events") MutinyEmitter<TrainingEvent> emitter, TrainerConfig config) {
        this.emitter = emitter;
        this.config = config;
        this.buffer = new EventBuffer(config.eventBufferSize());
        this.sender = new Thread(this::sendLoop, "kotune-event-publisher");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (buffer.size() > 0 && System.nanoTime() < deadline) {
            sleep(50);
        }
        stopping = true;
        sender.interrupt();
    }

    /**
     * Queues a lifecycle event (never dropped; waits only while the buffer is full) and returns at once.
     *
     * @param submissionId the event_id of the submission the event is about ("" when none)
     * @return the event and the future of its acknowledgement
     */
    public EventBuffer.Entry enqueue(String jobId, String submissionId, UnaryOperator<TrainingEvent.Builder> payload) {
        TrainingEvent event = build(jobId, submissionId, payload);
        try {
            return buffer.putLifecycle(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted while queueing " + event.getPayloadCase(), e);
        }
    }

    /** Queues a progress event; it may be coalesced away when the buffer is full (see {@link EventBuffer}). */
    public void progress(String jobId, String submissionId, UnaryOperator<TrainingEvent.Builder> payload) {
        TrainingEvent event = build(jobId, submissionId, payload);
        if (!buffer.putProgress(event)) {
            LOG.debugf("event buffer full: dropped progress of job %s", jobId);
        }
    }

    /**
     * Queues a lifecycle event and waits until the broker acknowledged it (as long as an outage lasts).
     *
     * @return the event as sent
     * @throws PublishFailedException when the broker refused it for good
     */
    public TrainingEvent publish(String jobId, String submissionId, UnaryOperator<TrainingEvent.Builder> payload) {
        EventBuffer.Entry entry = enqueue(jobId, submissionId, payload);
        awaitSent(entry);
        return entry.event();
    }

    /** Waits for an event's acknowledgement; see {@link #publish}. */
    public static void awaitSent(EventBuffer.Entry entry) {
        try {
            entry.sent().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException(
                    "interrupted while waiting for the ack of " + entry.event().getPayloadCase(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof PublishFailedException p
                    ? p
                    : new PublishFailedException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    /** Events waiting to be sent. */
    public int pending() {
        return buffer.size();
    }

    /** Progress events dropped because the buffer was full. */
    public long droppedProgress() {
        return buffer.droppedProgress();
    }

    private TrainingEvent build(String jobId, String submissionId, UnaryOperator<TrainingEvent.Builder> payload) {
        Instant now = Instant.now();
        return payload.apply(TrainingEvent.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setJobId(jobId)
                        .setSubmissionId(submissionId == null ? "" : submissionId)
                        .setOccurredAt(Timestamp.newBuilder()
                                .setSeconds(now.getEpochSecond())
                                .setNanos(now.getNano()))
                        .setProducer(config.producer()))
                .build();
    }

    private void sendLoop() {
        while (!stopping) {
            EventBuffer.Entry entry;
            try {
                entry = buffer.poll(500);
            } catch (InterruptedException e) {
                return;
            }
            if (entry != null) {
                send(entry);
            }
        }
    }

    /** Sends one event until the broker has it, or refuses it for good. */
    private void send(EventBuffer.Entry entry) {
        TrainingEvent event = entry.event();
        long backoff = MIN_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            Message<TrainingEvent> message = Message.of(event)
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                            .withKey(event.getJobId())
                            .build());
            try {
                emitter.sendMessage(message).await().atMost(config.sendTimeout());
                if (attempt > 1) {
                    LOG.infof(
                            "%s of job %s reached the broker after %d attempts",
                            event.getPayloadCase(), event.getJobId(), attempt);
                }
                entry.sent().complete(null);
                return;
            } catch (RuntimeException e) {
                if (!retriable(e)) {
                    LOG.errorf(
                            "the broker refused %s of job %s for good: %s",
                            event.getPayloadCase(), event.getJobId(), e);
                    entry.sent()
                            .completeExceptionally(new PublishFailedException(
                                    "the broker refused " + event.getPayloadCase() + " of job " + event.getJobId()
                                            + ": " + e,
                                    e));
                    return;
                }
                LOG.warnf(
                        "%s of job %s not acknowledged (attempt %d, %d waiting): %s; trying again in %d ms",
                        event.getPayloadCase(), event.getJobId(), attempt, buffer.size(), e, backoff);
            }
            if (stopping) {
                entry.sent().completeExceptionally(new PublishFailedException("the trainer is stopping", null));
                return;
            }
            sleep(backoff);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }

    /** Whether sending again may work: anything but an error the broker or client gives for good. */
    static boolean retriable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RetriableException) {
                return true;
            }
            if (t instanceof org.apache.kafka.common.errors.RecordTooLargeException
                    || t instanceof org.apache.kafka.common.errors.AuthorizationException
                    || t instanceof org.apache.kafka.common.errors.AuthenticationException
                    || t instanceof org.apache.kafka.common.errors.SerializationException
                    || t instanceof org.apache.kafka.common.errors.InvalidTopicException
                    || t instanceof org.apache.kafka.common.errors.UnsupportedVersionException) {
                return false;
            }
        }
        return true;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
