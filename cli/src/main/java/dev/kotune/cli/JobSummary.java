package dev.kotune.cli;

import dev.kotune.proto.training.v1.JobState;
import dev.kotune.proto.training.v1.TrainingEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is known about one job from replaying its records: the commands on {@code kotune.training.jobs} (submission,
 * cancel requests) and the facts on {@code kotune.training.events}. Mutable; fold events in with {@link #apply}.
 */
final class JobSummary {
    final String jobId;
    JobState state = JobState.JOB_STATE_UNSPECIFIED;
    String baseModel = "";
    long step;
    long totalSteps;
    double loss = Double.NaN;
    Instant created;
    TrainingEvent last;
    boolean submitted;
    boolean cancelRequested;

    JobSummary(String jobId) {
        this.jobId = jobId;
    }

    /** Folds one of this job's events (from either topic) into the summary. */
    void apply(TrainingEvent e) {
        noteCreated(e);
        applyPayload(e);
        applyState(e);
        applyLast(e);
    }

    /** The earliest occurrence seen is the job's creation time. */
    private void noteCreated(TrainingEvent e) {
        Instant at = TrainingEvents.instant(e.getOccurredAt());
        if (created == null || at.isBefore(created)) {
            created = at;
        }
    }

    /** What the event's payload says about the base model, the steps, the loss and the requests. */
    private void applyPayload(TrainingEvent e) {
        switch (e.getPayloadCase()) {
            case JOB_SUBMITTED -> {
                submitted = true;
                if (baseModel.isEmpty()) {
                    baseModel = e.getJobSubmitted().getSpec().getBaseModel();
                }
            }
            case CANCEL_REQUESTED -> cancelRequested = true;
            case JOB_VALIDATED -> {
                baseModel = e.getJobValidated().getResolvedSpec().getBaseModel().isEmpty()
                        ? baseModel
                        : e.getJobValidated().getResolvedSpec().getBaseModel();
                totalSteps = e.getJobValidated().getTotalSteps();
            }
            case STARTED -> {
                totalSteps = e.getStarted().getTotalSteps();
                step = Math.max(step, e.getStarted().getResumedFromStep());
            }
            case PROGRESS -> {
                step = e.getProgress().getStep();
                totalSteps = e.getProgress().getTotalSteps();
                loss = e.getProgress().getLoss();
            }
            case SUCCEEDED -> {
                step = e.getSucceeded().getMetrics().getGlobalStep();
                if (totalSteps == 0) {
                    totalSteps = step;
                }
                loss = e.getSucceeded().getMetrics().getTrainingLoss();
            }
            case FAILED -> step = Math.max(step, e.getFailed().getStep());
            case CANCELLED -> step = Math.max(step, e.getCancelled().getStep());
            default -> {}
        }
    }

    /** The state the event moves the job to, if any. */
    private void applyState(TrainingEvent e) {
        JobState next = TrainingEvents.stateAfter(e);
        // A submission replayed after the trainer's facts (two topics) must not move the job back to SUBMITTED.
        if (next != JobState.JOB_STATE_UNSPECIFIED
                && !(next == JobState.JOB_STATE_SUBMITTED && state != JobState.JOB_STATE_UNSPECIFIED)) {
            state = next;
        }
    }

    /** The last trainer fact (commands and duplicate rejections only when nothing else is known yet). */
    private void applyLast(TrainingEvent e) {
        if (e.getPayloadCase() != TrainingEvent.PayloadCase.JOB_SUBMITTED
                        && e.getPayloadCase() != TrainingEvent.PayloadCase.CANCEL_REQUESTED
                        && !TrainingEvents.isDuplicateRejection(e)
                || last == null) {
            last = e;
        }
    }

    /** The state as shown to users: SUBMITTED … CANCELLED, or CANCELLING while a cancel request is unanswered. */
    String stateName() {
        JobState shown = state == JobState.JOB_STATE_UNSPECIFIED ? JobState.JOB_STATE_SUBMITTED : state;
        String name = shown.name().substring("JOB_STATE_".length());
        return cancelRequested && !isFinished() ? name + " (cancelling)" : name;
    }

    boolean isFinished() {
        return state == JobState.JOB_STATE_SUCCEEDED
                || state == JobState.JOB_STATE_FAILED
                || state == JobState.JOB_STATE_REJECTED
                || state == JobState.JOB_STATE_CANCELLED;
    }

    /** Summaries per job id, in order of first appearance: the jobs topic's commands first, then the events. */
    static Map<String, JobSummary> replay(List<TrainingEvent> commands, List<TrainingEvent> events) {
        Map<String, JobSummary> jobs = new LinkedHashMap<>();
        for (List<TrainingEvent> list : List.of(commands, events)) {
            for (TrainingEvent e : list) {
                if (!e.getJobId().isEmpty()) {
                    jobs.computeIfAbsent(e.getJobId(), JobSummary::new).apply(e);
                }
            }
        }
        return jobs;
    }

    /** kubectl-style age: 45s, 12m, 3h, 2d. */
    static String age(Instant since, Instant now) {
        if (since == null) {
            return "-";
        }
        long s = Math.max(0, Duration.between(since, now).toSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 120 * 60) {
            return s / 60 + "m";
        }
        if (s < 48 * 3600) {
            return s / 3600 + "h";
        }
        return s / 86400 + "d";
    }
}
