package dev.kotune.engine;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A generation request the engine refuses, with every problem found (not just the first). Edges map it to their
 * error format: gRPC {@code INVALID_ARGUMENT}, REST 400 with {@code param}, a rejected training job.
 */
public final class InvalidParamsException extends IllegalArgumentException {

    private final List<ParamProblem> problems;

    public InvalidParamsException(List<ParamProblem> problems) {
        super("invalid generation request: "
                + problems.stream().map(ParamProblem::toString).collect(Collectors.joining("; ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an InvalidParamsException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<ParamProblem> problems() {
        return problems;
    }

    /** The problems with fields in the caller's spelling. */
    public List<ParamProblem> problems(UnaryOperator<String> names) {
        return problems.stream().map(p -> p.renamed(names)).toList();
    }
}
