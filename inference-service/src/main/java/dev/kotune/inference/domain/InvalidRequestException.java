package dev.kotune.inference.domain;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A request is out of range: INVALID_ARGUMENT over gRPC, HTTP 400 over REST. Carries every problem, each naming the
 * field as the caller's API spells it and the allowed range.
 */
public class InvalidRequestException extends RuntimeException {

    /**
     * One problem.
     *
     * @param field   e.g. "parameters.top_p" (gRPC) or "top_p" (REST)
     * @param message e.g. "must be in (0, 1], got 1.5"
     */
    public record Problem(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    private final List<Problem> problems;

    public InvalidRequestException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems");
        }
        this.problems = List.copyOf(problems);
    }

    /** Every problem, in field order. */
    public List<Problem> problems() {
        return problems;
    }

    /** The first problem's field (OpenAI's error has one {@code param}). */
    public String field() {
        return problems.get(0).field();
    }
}
