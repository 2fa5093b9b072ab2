package dev.kotune.trainer.domain;

import java.util.Objects;

/**
 * One problem with a submitted job, as structured parts: the field, the value it had and what is allowed. Printed as
 * {@code field: allowed, got value}. Immutable, thread-safe.
 *
 * @param field   the proto field path, e.g. "spec.hyperparameters.learning_rate"
 * @param value   the value as given, e.g. "5.0" or "\"../../etc/passwd\"" (strings quoted); "" when the field was
 *                missing or the problem has no single value. Never a file's content.
 * @param allowed the rule, e.g. "must be in (0, 1]" or "must lie under a data root [/srv/kotune]"
 */
public record ValidationError(String field, String value, String allowed) {

    public ValidationError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(allowed, "allowed");
        value = value == null ? "" : value;
    }

    /** A problem given as one sentence (no separate value), e.g. "must be unique: job x is RUNNING". */
    public ValidationError(String field, String message) {
        this(field, "", message);
    }

    /** What is wrong and what is allowed, e.g. "must be in (0, 1], got 5.0". */
    public String message() {
        return value.isEmpty() ? allowed : allowed + ", got " + value;
    }

    @Override
    public String toString() {
        return field + ": " + message();
    }
}
