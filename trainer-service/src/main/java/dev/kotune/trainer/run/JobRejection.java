package dev.kotune.trainer.run;

import dev.kotune.trainer.domain.ValidationError;
import java.util.List;

/**
 * An accepted job turned out not to be runnable as asked, before anything trained (e.g. tokenizer-service holds
 * another tokenizer than the base model's); becomes {@code TrainingJobRejected} with field paths and hints.
 */
public final class JobRejection extends Exception {

    private final List<ValidationError> errors;

    public JobRejection(String field, String message) {
        super(field + ": " + message);
        this.errors = List.of(new ValidationError(field, message));
    }

    public List<ValidationError> errors() {
        return errors;
    }
}
