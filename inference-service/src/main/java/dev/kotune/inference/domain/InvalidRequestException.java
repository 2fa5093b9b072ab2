package dev.kotune.inference.domain;

import java.util.List;
import java.util.function.UnaryOperator;
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

    /** The engine's problems (canonical field names) under the caller's API's names. */
    public static InvalidRequestException of(dev.kotune.engine.InvalidParamsException e, UnaryOperator<String> names) {
        return new InvalidRequestException(e.problems(names).stream()
                .map(p -> new Problem(p.field(), p.message()))
                .toList());
    }

    /** Every problem, in field order. */
    public List<Problem> problems() {
        return problems;
    }

    /**
     * The same problems with each field renamed (a field's leading canonical name, before any {@code [i]}, goes
     * through {@code names}): for problems found with canonical names ("max_new_tokens") that an API spells
     * differently ("parameters.max_new_tokens", "max_tokens").
     */
    public InvalidRequestException renamed(UnaryOperator<String> names) {
        return new InvalidRequestException(problems.stream()
                .map(p -> {
                    int bracket = p.field().indexOf('[');
                    String head = bracket < 0 ? p.field() : p.field().substring(0, bracket);
                    String tail = bracket < 0 ? "" : p.field().substring(bracket);
                    return new Problem(names.apply(head) + tail, p.message());
                })
                .toList());
    }

    /** The first problem's field (OpenAI's error has one {@code param}). */
    public String field() {
        return problems.get(0).field();
    }
}
