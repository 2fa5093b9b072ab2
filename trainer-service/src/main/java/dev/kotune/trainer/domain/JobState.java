package dev.kotune.trainer.domain;

/** The state of a job, as derived from its events. */
public enum JobState {
    /** Accepted, waiting for the job worker. */
    VALIDATED,
    /** The runner is working on it. */
    RUNNING,
    /** Finished with a trained (and exported) model. */
    SUCCEEDED,
    /** Stopped on an error. */
    FAILED,
    /** Stopped because it was asked to. */
    CANCELLED,
    /** Refused after acceptance, before training (e.g. the tokenizer service has another tokenizer). */
    REJECTED;

    /** Whether nothing more will happen to a job in this state. */
    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == REJECTED;
    }
}
