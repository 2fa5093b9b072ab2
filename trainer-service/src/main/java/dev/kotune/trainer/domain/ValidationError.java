package dev.kotune.trainer.domain;

/**
 * One problem with a submitted job. Immutable.
 *
 * @param field   the proto field path, e.g. "spec.hyperparameters.learning_rate"
 * @param message what is wrong and what is allowed, e.g. "must be in (0, 1], got 5.0"
 */
public record ValidationError(String field, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
