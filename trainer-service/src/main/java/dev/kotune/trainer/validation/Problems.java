package dev.kotune.trainer.validation;

import dev.kotune.trainer.domain.ValidationError;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects validation errors and holds the range rules, so every message reads the same way:
 * {@code must be in (0, 1], got 5.0}. Not thread-safe: one instance per validation.
 */
final class Problems {

    private final List<ValidationError> errors = new ArrayList<>();

    void add(String field, String message) {
        errors.add(new ValidationError(field, message));
    }

    List<ValidationError> errors() {
        return errors;
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Checks {@code min <= value <= max}. */
    void closed(String field, long value, long min, long max) {
        if (value < min || value > max) {
            add(field, "must be in [" + min + ", " + max + "], got " + value);
        }
    }

    /** Checks {@code value >= min}. */
    void atLeast(String field, long value, long min) {
        if (value < min) {
            add(field, "must be >= " + min + ", got " + value);
        }
    }

    /** Checks {@code min < value <= max} (and that the value is a number). */
    void leftOpen(String field, double value, String min, double minValue, String max, double maxValue) {
        if (Double.isNaN(value) || value <= minValue || value > maxValue) {
            add(field, "must be in (" + min + ", " + max + "], got " + value);
        }
    }

    /** Checks {@code min <= value <= max} (and that the value is a number). */
    void closed(String field, double value, String min, double minValue, String max, double maxValue) {
        if (Double.isNaN(value) || value < minValue || value > maxValue) {
            add(field, "must be in [" + min + ", " + max + "], got " + value);
        }
    }

    /** Checks {@code value > 0} and finite. */
    void positiveFinite(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            add(field, "must be > 0 and finite, got " + value);
        }
    }
}
