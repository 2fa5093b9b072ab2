package dev.kotune.trainer.validation;

import dev.kotune.trainer.domain.TrainingJob;
import dev.kotune.trainer.domain.ValidationError;
import java.util.List;

/** The outcome of validating a submitted job: accepted with its resolved spec, or rejected with every problem. */
public sealed interface ValidationResult {

    /**
     * The job passed; every default is filled in.
     *
     * @param job         the resolved job
     * @param numExamples examples after loading (and the limit)
     * @param totalSteps  optimizer steps the job will run
     */
    record Accepted(TrainingJob job, int numExamples, long totalSteps) implements ValidationResult {}

    /**
     * The job was refused.
     *
     * @param errors every problem found, in field order; never empty
     */
    record Rejected(List<ValidationError> errors) implements ValidationResult {
        public Rejected {
            errors = List.copyOf(errors);
            if (errors.isEmpty()) {
                throw new IllegalArgumentException("a rejection needs at least one error");
            }
        }
    }
}
