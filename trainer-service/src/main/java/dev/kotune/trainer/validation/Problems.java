package dev.kotune.trainer.validation;

import dev.kotune.engine.ParamProblem;
import dev.kotune.trainer.domain.ValidationError;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects validation errors as (field path, value, allowed) and holds the range rules, so every message reads the
 * same way: {@code must be in (0, 1], got 5.0}. Not thread-safe: one instance per validation.
 */
final class Problems {

    /** Longest value quoted in a problem; longer ones are cut with "…" (the value is the job's, never a file's). */
    static final int MAX_QUOTED = 128;

    private final List<ValidationError> errors = new ArrayList<>();

    /** A problem with {@code field}'s {@code value} (a string is quoted, null means none) and the rule. */
    void add(String field, Object value, String allowed) {
        errors.add(new ValidationError(field, format(value), allowed));
    }

    /** A required field that is missing or empty. */
    void required(String field, String what) {
        errors.add(new ValidationError(field, "", "is required (" + what + ")"));
    }

    /** A problem the engine's generation contract found, under {@code prefix}. */
    void engine(String prefix, ParamProblem p) {
        String hint = p.hint().isEmpty() ? "" : " (" + p.hint() + ")";
        errors.add(new ValidationError(prefix + p.field(), p.value(), "must be " + p.allowed() + hint));
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
            add(field, value, "must be in [" + min + ", " + max + "]");
        }
    }

    /** Checks {@code value >= min}. */
    void atLeast(String field, long value, long min) {
        if (value < min) {
            add(field, value, "must be >= " + min);
        }
    }

    /** Checks {@code min < value <= max} (and that the value is a number). */
    void leftOpen(String field, double value, String min, double minValue, String max, double maxValue) {
        if (Double.isNaN(value) || value <= minValue || value > maxValue) {
            add(field, value, "must be in (" + min + ", " + max + "]");
        }
    }

    /** Checks {@code min <= value <= max} (and that the value is a number). */
    void closed(String field, double value, String min, double minValue, String max, double maxValue) {
        if (Double.isNaN(value) || value < minValue || value > maxValue) {
            add(field, value, "must be in [" + min + ", " + max + "]");
        }
    }

    /** Checks {@code value > 0} and finite. */
    void positiveFinite(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            add(field, value, "must be > 0 and finite");
        }
    }

    /** A value as a problem shows it: numbers as they print, strings in quotes (cut at {@link #MAX_QUOTED}). */
    static String format(Object value) {
        if (value == null) {
            return "";
        }
        if (!(value instanceof CharSequence text)) {
            return String.valueOf(value);
        }
        String s = text.toString();
        return "\"" + (s.length() > MAX_QUOTED ? s.substring(0, MAX_QUOTED) + "…" : s) + "\"";
    }
}
