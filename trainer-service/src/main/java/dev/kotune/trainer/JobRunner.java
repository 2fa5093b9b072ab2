package dev.kotune.trainer;

import dev.kotune.trainer.domain.TrainingJob;

/**
 * Runs one validated job to its end: trains, saves checkpoints, evaluates, exports. The service calls it on its job
 * worker thread, one job at a time, after {@code TrainingJobValidated} was published and {@code job.json} written.
 *
 * <p>The runner reports every lifecycle fact through {@link JobContext#publish}: {@code Started}, {@code Progress}
 * every {@code logging_steps}, {@code CheckpointSaved}, {@code Evaluated}, {@code Exported}, and exactly one final
 * fact: {@code Succeeded}, {@code Failed} or {@code Cancelled}. It polls {@link JobContext#cancelRequested()} at step
 * boundaries and stops with {@code Cancelled} when it turns true. If it throws, or returns without a final fact, the
 * service publishes {@code Failed} (error_type "INTERNAL") for it.
 *
 * <p>Implementations are CDI beans ({@code @ApplicationScoped}); the service's is
 * {@link dev.kotune.trainer.run.DjlJobRunner} (GPT-2 on DJL). Implementations are called from one thread at a time
 * but must be safe to construct and inspect from others.
 */
public interface JobRunner {

    /**
     * Runs {@code job} on the calling thread until it ends.
     *
     * @param job     the resolved job (every default filled in)
     * @param context where to publish facts, check cancellation and write files
     * @throws Exception anything unexpected; the service turns it into {@code TrainingFailed}
     */
    void run(TrainingJob job, JobContext context) throws Exception;
}
