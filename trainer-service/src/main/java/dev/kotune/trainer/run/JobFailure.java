package dev.kotune.trainer.run;

/**
 * A job stopped on a known kind of problem; becomes {@code TrainingFailed(reason, error_type, step, retryable)}.
 * The message names the file or value at fault.
 */
public final class JobFailure extends Exception {

    private final ErrorType type;
    private final boolean retryable;

    public JobFailure(ErrorType type, String reason, boolean retryable, Throwable cause) {
        super(reason, cause);
        this.type = type;
        this.retryable = retryable;
    }

    public JobFailure(ErrorType type, String reason) {
        this(type, reason, false, null);
    }

    public ErrorType type() {
        return type;
    }

    /** Whether submitting the same job again may succeed (e.g. a full disk, a hub outage). */
    public boolean retryable() {
        return retryable;
    }
}
