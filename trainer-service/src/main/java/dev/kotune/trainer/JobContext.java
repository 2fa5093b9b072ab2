package dev.kotune.trainer;

import dev.kotune.trainer.domain.JobFact;
import java.nio.file.Path;

/**
 * What a {@link JobRunner} gets for one job. Thread-safe: a runner may publish from helper threads.
 */
public interface JobContext {

    /**
     * Publishes a lifecycle fact as a {@code TrainingEvent} on the events topic (key = job id) through the service's
     * ordered event buffer, without waiting for the broker (progress may be coalesced when the buffer is full; nothing
     * else is dropped); also moves the job's state in the registry ({@code job.json}). A retryable
     * {@link dev.kotune.trainer.domain.JobFact.Failed} is not published at once: the worker retries the job from its
     * last checkpoint and publishes it only when the attempts ran out.
     */
    void publish(JobFact fact);

    /**
     * Whether the job is being handed over (its partition went to another consumer, or came back after this one's
     * membership expired): the runner stops at a logging boundary, saves a checkpoint there so the next run loses no
     * step, and publishes no final event. {@link #cancelRequested} is true as well.
     */
    default boolean handingOver() {
        return false;
    }

    /** Whether someone asked to cancel this job; check at step boundaries. */
    boolean cancelRequested();

    /** The reason given with the cancel request, empty when none. */
    String cancelReason();

    /** Who asked to cancel, empty when unknown. */
    String cancelRequestedBy();

    /** The job's directory, {@code $KOTUNE_HOME/jobs/{job_id}} (exists): checkpoints, export and reports go here. */
    Path jobDir();

    /** Examples after loading, as validated. */
    int numExamples();

    /** Optimizer steps planned, as validated. */
    long totalSteps();
}
