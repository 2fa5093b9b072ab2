package dev.kotune.engine;

import java.util.function.UnaryOperator;

/**
 * One thing wrong with a generation request: the field (canonical, HF/proto spelling, e.g. {@code "top_p"} or
 * {@code "stop[2]"}), the value it had and what is allowed. Edges rename the field to their API's spelling and print
 * {@link #message()}. Immutable, thread-safe.
 *
 * @param field   canonical field path, e.g. "max_new_tokens"
 * @param value   the value as given, e.g. "1.5"; "" when the field was missing
 * @param allowed the allowed range or form, e.g. "in (0, 1]"
 * @param hint    what to do instead, or ""
 */
public record ParamProblem(String field, String value, String allowed, String hint) {

    public ParamProblem {
        hint = hint == null ? "" : hint;
        value = value == null ? "" : value;
    }

    public static ParamProblem of(String field, Object value, String allowed) {
        return new ParamProblem(field, String.valueOf(value), allowed, "");
    }

    /** "must be in (0, 1], got 1.5 (hint)": the sentence after the field name. */
    public String message() {
        return "must be " + allowed + (value.isEmpty() ? "" : ", got " + value)
                + (hint.isEmpty() ? "" : " (" + hint + ")");
    }

    /** The same problem under the edge's spelling of the field; {@code names} maps the part before any "[i]". */
    public ParamProblem renamed(UnaryOperator<String> names) {
        int bracket = field.indexOf('[');
        String head = bracket < 0 ? field : field.substring(0, bracket);
        String tail = bracket < 0 ? "" : field.substring(bracket);
        return new ParamProblem(names.apply(head) + tail, value, allowed, hint);
    }

    @Override
    public String toString() {
        return field + " " + message();
    }
}
