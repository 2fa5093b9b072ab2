package dev.kotune.trainer;

import dev.kotune.trainer.domain.JobFact;
import dev.kotune.trainer.domain.JobRecord;
import dev.kotune.trainer.domain.TrainingJob;
import dev.kotune.trainer.kafka.EventBuffer;
import dev.kotune.trainer.kafka.ProtoMapper;
import dev.kotune.trainer.kafka.PublishFailedException;
import dev.kotune.trainer.kafka.TrainingEventPublisher;
import dev.kotune.trainer.registry.JobRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Runs accepted jobs with the {@link JobRunner}, one at a time, on a dedicated thread ({@code kotune-job-worker}),
 * in the order they were accepted, so a long training run never blocks the Kafka consumer (cancel requests keep
 * flowing).
 *
 * <p>Each job comes with the {@link Completion} of its command record: the record is acknowledged (its offset may be
 * committed) only once the job's final event (succeeded, failed, cancelled, rejected) is on the broker. A trainer
 * that dies mid-job therefore gets the record again at its next start (or another replica of the consumer group
 * does), and the job continues from its last checkpoint. A replica that loses the record's partition in a rebalance
 * stops the job at its next step boundary without a final event ({@link #release}), before the partition moves.
 *
 * <p>A retryable failure ({@code TrainingFailed.retryable}) runs the job again from its last checkpoint, after a
 * backoff ({@code kotune.trainer.retry.*}), announced by a status event; only when the attempts run out is
 * {@code TrainingFailed} published. Thread-safe.
 */
@ApplicationScoped
public class JobWorker {

    /** What a cancel request found. */
    public enum CancelOutcome {
        /** The job had not started: it was dropped and TrainingCancelled published. */
        CANCELLED_BEFORE_START,
        /** The job is running: the runner was told and stops at its next step boundary. */
        SIGNALLED,
        /** Nothing queued or running under that id. */
        NOT_ACTIVE
    }

    /** The acknowledgement of a job's command record. Implementations are thread-safe. */
    public interface Completion {
        /** The job ended and its final event is on the broker: the record may be committed. */
        void ack();

        /** The job's final event could not be published: the record must not be committed. */
        void nack(Throwable reason);

        /** A completion that does nothing (jobs not tied to a record). */
        Completion NONE = new Completion() {
            @Override
            public void ack() {}

            @Override
            public void nack(Throwable reason) {}
        };
    }

    private enum Phase {
        QUEUED,
        RUNNING,
        DONE
    }

    private static final Logger LOG = Logger.getLogger(JobWorker.class);

    private final JobRunner runner;
    private final TrainingEventPublisher publisher;
    private final JobRegistry registry;
    private final Map<String, Slot> active = new ConcurrentHashMap<>();
    /** The {@code topic-partition}s this replica owns now (the rebalance listener keeps it). */
    private final java.util.Set<String> owned = ConcurrentHashMap.newKeySet();
    /** Final events of ended jobs still on their way to the broker. */
    private final Map<String, EventBuffer.Entry> unsentFinals = new ConcurrentHashMap<>();

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "kotune-job-worker"));

    private final TopicsConfig topics;
    private final TrainerConfig config;

    public JobWorker(
            JobRunner runner,
            TrainingEventPublisher publisher,
            JobRegistry registry,
            TopicsConfig topics,
            TrainerConfig config) {
        this.runner = runner;
        this.publisher = publisher;
        this.registry = registry;
        this.topics = topics;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        LOG.infof(
                "jobs from %s (group %s), events to %s, dead letters to %s, job files in %s, runner %s",
                topics.jobs(),
                config.groupId(),
                topics.events(),
                topics.dlq(),
                registry.jobDir(""),
                runner.getClass().getName().replaceAll("_Subclass$|_ClientProxy$", ""));
        registry.all().stream()
                .filter(r -> !r.state().isTerminal())
                .forEach(r -> LOG.infof(
                        "job %s was %s when the trainer stopped: it continues when its record comes again",
                        r.job().jobId(), r.state()));
    }

    void onStop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
    }

    /** Queues an accepted job, not tied to a record (tests). */
    public void enqueue(JobRecord record) {
        enqueue(record, "", Completion.NONE);
    }

    /**
     * Queues an accepted (or redelivered, unfinished) job.
     *
     * @param partition  the command record's {@code topic-partition}, for {@link #release}
     * @param completion acknowledged once the job's final event is on the broker
     */
    public void enqueue(JobRecord record, String partition, Completion completion) {
        Slot slot = new Slot(record, partition, completion);
        Slot existing = active.putIfAbsent(record.job().jobId(), slot);
        if (existing != null) {
            LOG.infof(
                    "job %s is already queued or running: its record is acknowledged when it ends",
                    record.job().jobId());
            existing.completion.set(completion);
            return;
        }
        if (!partition.isEmpty() && !owned.contains(partition)) {
            // the partition was revoked while the record was being handled: its next owner runs the job
            active.remove(record.job().jobId(), slot);
            LOG.infof(
                    "job %s: partition %s is no longer this replica's; its next owner runs the job",
                    record.job().jobId(), partition);
            return;
        }
        executor.execute(() -> run(slot));
    }

    /**
     * Acknowledges the record of an ended job once its final event is on the broker: at once when it is, later when
     * the event still waits in the buffer (e.g. during an outage), so no offset passes a job whose end is unpublished.
     */
    public void acknowledgeEnded(String jobId, Completion completion) {
        EventBuffer.Entry pending = unsentFinals.get(jobId);
        if (pending == null) {
            completion.ack();
            return;
        }
        pending.sent().whenComplete((ok, error) -> {
            if (error == null) {
                completion.ack();
            } else {
                completion.nack(error);
            }
        });
    }

    /** Records partitions this replica now owns (the rebalance listener calls it). */
    public void assigned(Collection<String> partitions) {
        owned.addAll(partitions);
    }

    /** Whether the job is queued or running here. */
    public boolean isActive(String jobId) {
        return active.containsKey(jobId);
    }

    /** Asks the job to stop; see {@link CancelOutcome}. */
    public CancelOutcome cancel(String jobId, String reason, String requestedBy) {
        Slot slot = active.get(jobId);
        if (slot == null) {
            return CancelOutcome.NOT_ACTIVE;
        }
        slot.cancel.set(new String[] {reason, requestedBy});
        if (slot.phase.compareAndSet(Phase.QUEUED, Phase.DONE)) {
            active.remove(jobId, slot);
            slot.context.publish(new JobFact.Cancelled(0, reason, requestedBy));
            slot.acknowledgeWhenSent();
            slot.stopped.countDown();
            return CancelOutcome.CANCELLED_BEFORE_START;
        }
        return slot.phase.get() == Phase.RUNNING ? CancelOutcome.SIGNALLED : CancelOutcome.NOT_ACTIVE;
    }

    /**
     * Gives up the jobs whose records came from {@code partitions} (a rebalance took them away): queued ones are
     * dropped, a running one stops at its next step boundary, without a final event and without acknowledging its
     * record, so the partition's next owner continues it from its last checkpoint. Waits up to {@code timeout} for the
     * running job to stop.
     */
    public void release(Collection<String> partitions, Duration timeout) {
        owned.removeAll(partitions);
        for (Slot slot : active.values()) {
            if (!partitions.contains(slot.partition)) {
                continue;
            }
            slot.handover.set(true);
            if (slot.phase.compareAndSet(Phase.QUEUED, Phase.DONE)) {
                active.remove(slot.record.job().jobId(), slot);
                slot.stopped.countDown();
                LOG.infof(
                        "job %s: partition %s was revoked before it started",
                        slot.record.job().jobId(), slot.partition);
                continue;
            }
            LOG.infof(
                    "job %s: partition %s was revoked; stopping at the next step",
                    slot.record.job().jobId(), slot.partition);
            try {
                if (!slot.stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warnf("job %s did not stop within %s", slot.record.job().jobId(), timeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void run(Slot slot) {
        if (!slot.phase.compareAndSet(Phase.QUEUED, Phase.RUNNING)) {
            return;
        }
        TrainingJob job = slot.record.job();
        Context context = slot.context;
        try {
            Files.createDirectories(context.jobDir());
            if (runAttempts(slot)) {
                slot.acknowledgeWhenSent();
            }
        } catch (IOException e) {
            LOG.errorf(e, "job %s: cannot write under %s", job.jobId(), context.jobDir());
            context.publishFinal(new JobFact.Failed(
                    "cannot write under " + context.jobDir() + ": " + e, "JOB_STORE", context.lastStep, true));
            slot.acknowledgeWhenSent();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warnf("job %s interrupted while waiting to retry; its record comes again", job.jobId());
        } catch (PublishFailedException e) {
            LOG.errorf("job %s: %s; its record stays uncommitted", job.jobId(), e.getMessage());
            slot.completion.get().nack(e);
        } finally {
            slot.phase.set(Phase.DONE);
            active.remove(job.jobId(), slot);
            slot.stopped.countDown();
        }
    }

    /** How an attempt (or the wait before the next one) ended. */
    private enum Next {
        /** The job ended: its final event is published (or there is none); its record may be acknowledged. */
        ENDED,
        /** The job stops here without a final event (handed over, interrupted): its record comes again. */
        STOPPED,
        /** The attempt failed: run it again from the last checkpoint, attempts allowing. */
        RETRY
    }

    /** Runs attempts until the job ended (true) or stopped without a final event (false). */
    private boolean runAttempts(Slot slot) throws IOException, InterruptedException {
        Context context = slot.context;
        int failures = 0;
        while (true) {
            Next next = runAttempt(slot);
            if (next != Next.RETRY) {
                return next == Next.ENDED;
            }
            JobFact.Failed failure = context.deferred != null
                    ? context.deferred
                    : new JobFact.Failed(
                            "the job runner returned without a final event", "INTERNAL", context.lastStep, true);
            failures++;
            if (failures >= config.retry().maxAttempts()) {
                context.publishFinal(failure);
                return true;
            }
            next = awaitRetry(slot, failure, failures);
            if (next != Next.RETRY) {
                return next == Next.ENDED;
            }
        }
    }

    /** One run of the runner, from the last checkpoint. */
    private Next runAttempt(Slot slot) throws IOException {
        TrainingJob job = slot.record.job();
        Context context = slot.context;
        context.attempt = registry.nextAttempt(job.jobId());
        context.deferred = null;
        try {
            runner.run(job, context);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warnf("job %s interrupted (the trainer is stopping); its record comes again", job.jobId());
            return Next.STOPPED;
        } catch (PublishFailedException e) {
            throw e;
        } catch (Exception e) {
            LOG.errorf(e, "job %s failed in the runner", job.jobId());
            if (!slot.handover.get() && !context.finished.get()) {
                context.deferred = new JobFact.Failed(String.valueOf(e), "INTERNAL", context.lastStep, true);
            }
        }
        if (slot.handover.get()) {
            LOG.infof("job %s handed over at step %d (its partition was revoked)", job.jobId(), context.lastStep);
            return Next.STOPPED;
        }
        return context.finished.get() ? Next.ENDED : Next.RETRY;
    }

    /**
     * Announces the retry after the {@code failures}-th failure by a status event and waits its backoff: ENDED when a
     * cancel request came meanwhile (TrainingCancelled published), STOPPED when the job was handed over.
     */
    private Next awaitRetry(Slot slot, JobFact.Failed failure, int failures) throws InterruptedException {
        TrainingJob job = slot.record.job();
        Context context = slot.context;
        Duration backoff = backoff(failures);
        String status = String.format(
                Locale.ROOT,
                "attempt %d failed [%s] at step %d: %s; retrying from the last checkpoint in %d s (attempt %d of %d)",
                context.attempt,
                failure.errorType(),
                failure.step(),
                failure.reason(),
                backoff.toSeconds(),
                failures + 1,
                config.retry().maxAttempts());
        LOG.warnf("job %s: %s", job.jobId(), status);
        publisher.enqueue(
                job.jobId(),
                slot.submissionId(),
                b -> ProtoMapper.withFact(
                        b, new JobFact.Progress(failure.step(), context.totalSteps(), 0, 0, 0, 0, 0, status)));
        if (waitOrCancel(slot, backoff)) {
            context.publishFinal(
                    new JobFact.Cancelled(context.lastStep, context.cancelReason(), context.cancelRequestedBy()));
            return Next.ENDED;
        }
        return slot.handover.get() ? Next.STOPPED : Next.RETRY;
    }

    private Duration backoff(int failures) {
        Duration d = config.retry().initialBackoff();
        for (int i = 1; i < failures && d.compareTo(config.retry().maxBackoff()) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(config.retry().maxBackoff()) > 0 ? config.retry().maxBackoff() : d;
    }

    /** Waits {@code d}; true when a cancel request came meanwhile. */
    private static boolean waitOrCancel(Slot slot, Duration d) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            if (slot.cancel.get() != null) {
                return true;
            }
            if (slot.handover.get()) {
                return false;
            }
            Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
        return slot.cancel.get() != null;
    }

    /** One accepted job on its way through the worker. */
    private final class Slot {
        final JobRecord record;
        final String partition;
        final AtomicReference<Completion> completion;
        final AtomicReference<Phase> phase = new AtomicReference<>(Phase.QUEUED);
        final AtomicReference<String[]> cancel = new AtomicReference<>();
        final AtomicBoolean handover = new AtomicBoolean();
        final CountDownLatch stopped = new CountDownLatch(1);
        final Context context;
        volatile EventBuffer.Entry finalEvent;

        Slot(JobRecord record, String partition, Completion completion) {
            this.record = record;
            this.partition = partition;
            this.completion = new AtomicReference<>(completion);
            this.context = new Context(this);
        }

        String submissionId() {
            return record.submittedEventId();
        }

        /** Acknowledges the record once the final event is on the broker (at once when there is none). */
        void acknowledgeWhenSent() {
            EventBuffer.Entry last = finalEvent;
            if (last == null) {
                completion.get().ack();
                return;
            }
            last.sent().whenComplete((ok, error) -> {
                if (error == null) {
                    completion.get().ack();
                } else {
                    LOG.errorf(
                            "job %s: its final event was refused (%s); its record stays uncommitted",
                            record.job().jobId(), error);
                    completion.get().nack(error);
                }
            });
        }
    }

    /** The {@link JobContext} of one job. Thread-safe. */
    private final class Context implements JobContext {
        private final Slot slot;
        final AtomicBoolean finished = new AtomicBoolean();
        volatile int attempt = 1;
        volatile long lastStep;
        volatile long segmentStart;
        volatile JobFact.Failed deferred;

        Context(Slot slot) {
            this.slot = slot;
        }

        @Override
        public void publish(JobFact fact) {
            String jobId = slot.record.job().jobId();
            noteStep(fact);
            boolean terminal = fact.resultingState().isTerminal();
            if (terminal && slot.handover.get()) {
                LOG.infof(
                        "job %s handed over: not publishing %s",
                        jobId, fact.getClass().getSimpleName());
                return;
            }
            if (fact instanceof JobFact.Failed f && f.retryable()) {
                // the worker decides: retry from the last checkpoint, or publish it when the attempts ran out
                deferred = f.step() == 0 && lastStep > 0
                        ? new JobFact.Failed(f.reason(), f.errorType(), lastStep, true)
                        : f;
                return;
            }
            if (terminal) {
                publishFinal(fact);
                return;
            }
            if (fact instanceof JobFact.Progress) {
                publisher.progress(jobId, slot.submissionId(), b -> ProtoMapper.withFact(b, fact));
            } else {
                publisher.enqueue(jobId, slot.submissionId(), b -> decorate(ProtoMapper.withFact(b, fact)));
            }
            transition(fact);
        }

        /** Publishes the job's final event (once) and records the state. */
        void publishFinal(JobFact fact) {
            String jobId = slot.record.job().jobId();
            if (!finished.compareAndSet(false, true)) {
                LOG.warnf("job %s already ended; dropping a second final fact %s", jobId, fact);
                return;
            }
            EventBuffer.Entry entry =
                    publisher.enqueue(jobId, slot.submissionId(), b -> decorate(ProtoMapper.withFact(b, fact)));
            slot.finalEvent = entry;
            unsentFinals.put(jobId, entry);
            entry.sent().whenComplete((ok, error) -> unsentFinals.remove(jobId, entry));
            transition(fact);
        }

        private void noteStep(JobFact fact) {
            if (fact instanceof JobFact.Started s) {
                segmentStart = s.resumedFromStep();
                lastStep = Math.max(lastStep, s.resumedFromStep());
            } else if (fact instanceof JobFact.Progress p && p.status().isEmpty()) {
                lastStep = Math.max(lastStep, p.step());
            } else if (fact instanceof JobFact.CheckpointSaved c) {
                lastStep = Math.max(lastStep, c.step());
            }
        }

        /** Adds what only the worker knows: the attempt, the segment a resumed run covers. */
        private dev.kotune.proto.training.v1.TrainingEvent.Builder decorate(
                dev.kotune.proto.training.v1.TrainingEvent.Builder b) {
            if (b.hasStarted()) {
                b.getStartedBuilder().setAttempt(attempt);
            } else if (b.hasFailed()) {
                b.getFailedBuilder().setAttempts(attempt);
            } else if (b.hasSucceeded()) {
                b.getSucceededBuilder().getMetricsBuilder().setSegmentStartStep(segmentStart);
            }
            return b;
        }

        private void transition(JobFact fact) {
            String jobId = slot.record.job().jobId();
            try {
                registry.transition(jobId, fact.resultingState());
            } catch (IOException e) {
                LOG.errorf(e, "job %s: could not record state %s in job.json", jobId, fact.resultingState());
            }
        }

        @Override
        public boolean cancelRequested() {
            return slot.cancel.get() != null || slot.handover.get();
        }

        @Override
        public boolean handingOver() {
            return slot.handover.get() && slot.cancel.get() == null;
        }

        @Override
        public String cancelReason() {
            String[] c = slot.cancel.get();
            return c == null ? "" : c[0];
        }

        @Override
        public String cancelRequestedBy() {
            String[] c = slot.cancel.get();
            return c == null ? "" : c[1];
        }

        @Override
        public Path jobDir() {
            return registry.jobDir(slot.record.job().jobId());
        }

        @Override
        public int numExamples() {
            return slot.record.numExamples();
        }

        @Override
        public long totalSteps() {
            return slot.record.totalSteps();
        }
    }
}
