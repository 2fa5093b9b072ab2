package dev.kotune.trainer.domain;

import java.time.Instant;

/**
 * What the registry keeps about an accepted job (and writes to {@code jobs/{job_id}/job.json}). Immutable.
 *
 * @param job              the resolved spec
 * @param submittedEventId event_id of the TrainingJobSubmitted that created it (for de-duplication)
 * @param submittedBy      who asked, may be empty
 * @param acceptedAt       when it passed validation
 * @param numExamples      examples after loading
 * @param totalSteps       optimizer steps planned
 * @param state            current state
 * @param updatedAt        when the state last changed
 */
public record JobRecord(
        TrainingJob job,
        String submittedEventId,
        String submittedBy,
        Instant acceptedAt,
        int numExamples,
        long totalSteps,
        JobState state,
        Instant updatedAt) {

    /** This record in another state. */
    public JobRecord withState(JobState newState, Instant at) {
        return new JobRecord(job, submittedEventId, submittedBy, acceptedAt, numExamples, totalSteps, newState, at);
    }
}
