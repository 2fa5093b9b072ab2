package dev.kotune.trainer;

import dev.kotune.trainer.domain.JobFact;
import java.nio.file.Path;

/**
 * What a {@link JobRunner} gets for one job. Thread-safe: a runner may publish from helper threads.
 */
public interface JobContext {

    /**
     * Publishes a lifecycle fact as a {@code TrainingEvent} on the events topic (key = job id) and waits until the
     * broker has it; also moves the job's state in the registry ({@code job.json}).
     *
     * @throws dev.kotune.trainer.kafka.PublishFailedException when the broker did not take it in time
     */
    void publish(JobFact fact);

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
