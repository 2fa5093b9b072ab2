package dev.kotune.trainer;

import dev.kotune.trainer.domain.JobFact;
import dev.kotune.trainer.domain.JobRecord;
import dev.kotune.trainer.domain.TrainingJob;
import dev.kotune.trainer.kafka.ProtoMapper;
import dev.kotune.trainer.kafka.TrainingEventPublisher;
import dev.kotune.trainer.registry.JobRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Runs accepted jobs with the {@link JobRunner}, one at a time, on a dedicated thread ({@code kotune-job-worker}),
 * in the order they were accepted, so a long training run never blocks the Kafka consumer (cancel requests keep
 * flowing). At start-up it queues again the jobs that {@code job.json} shows unfinished (the runner resumes them
 * from their last checkpoint where it can). Thread-safe.
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
                .sorted(java.util.Comparator.comparing(JobRecord::acceptedAt))
                .forEach(r -> {
                    LOG.infof(
                            "job %s was %s when the trainer stopped: queued again",
                            r.job().jobId(), r.state());
                    enqueue(r);
                });
    }

    void onStop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
    }

    /** Queues an accepted job. */
    public void enqueue(JobRecord record) {
        Slot slot = new Slot(record);
        if (active.putIfAbsent(record.job().jobId(), slot) != null) {
            LOG.warnf("job %s is already queued or running", record.job().jobId());
            return;
        }
        executor.execute(() -> run(slot));
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
            return CancelOutcome.CANCELLED_BEFORE_START;
        }
        return slot.phase.get() == Phase.RUNNING ? CancelOutcome.SIGNALLED : CancelOutcome.NOT_ACTIVE;
    }

    private void run(Slot slot) {
        if (!slot.phase.compareAndSet(Phase.QUEUED, Phase.RUNNING)) {
            return;
        }
        TrainingJob job = slot.record.job();
        try {
            Files.createDirectories(slot.context.jobDir());
            runner.run(job, slot.context);
            if (!slot.context.finished.get()) {
                slot.context.publish(
                        new JobFact.Failed("the job runner returned without a final event", "INTERNAL", 0, true));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warnf("job %s interrupted (the trainer is stopping); it runs again at the next start", job.jobId());
        } catch (Exception e) {
            LOG.errorf(e, "job %s failed in the runner", job.jobId());
            if (!slot.context.finished.get()) {
                try {
                    slot.context.publish(new JobFact.Failed(String.valueOf(e), "INTERNAL", 0, true));
                } catch (RuntimeException publishFailure) {
                    LOG.errorf(publishFailure, "job %s: could not publish its failure", job.jobId());
                }
            }
        } finally {
            slot.phase.set(Phase.DONE);
            active.remove(job.jobId(), slot);
        }
    }

    /** One accepted job on its way through the worker. */
    private final class Slot {
        final JobRecord record;
        final AtomicReference<Phase> phase = new AtomicReference<>(Phase.QUEUED);
        final AtomicReference<String[]> cancel = new AtomicReference<>();
        final Context context;

        Slot(JobRecord record) {
            this.record = record;
            this.context = new Context(this);
        }
    }

    /** The {@link JobContext} of one job. Thread-safe. */
    private final class Context implements JobContext {
        private final Slot slot;
        final AtomicBoolean finished = new AtomicBoolean();

        Context(Slot slot) {
            this.slot = slot;
        }

        @Override
        public void publish(JobFact fact) {
            String jobId = slot.record.job().jobId();
            boolean terminal = fact.resultingState().isTerminal();
            if (terminal && !finished.compareAndSet(false, true)) {
                LOG.warnf("job %s already ended; dropping a second final fact %s", jobId, fact);
                return;
            }
            publisher.publish(jobId, b -> ProtoMapper.withFact(b, fact));
            try {
                registry.transition(jobId, fact.resultingState());
            } catch (IOException e) {
                LOG.errorf(e, "job %s: could not record state %s in job.json", jobId, fact.resultingState());
            }
        }

        @Override
        public boolean cancelRequested() {
            return slot.cancel.get() != null;
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
