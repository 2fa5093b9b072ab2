package dev.kotune.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint is readable but was made for another model configuration or tokenizer than the caller's. The message
 * says what differs and what to do about it. Immutable.
 */
public class CheckpointMismatchException extends CheckpointException {

    public CheckpointMismatchException(Path file, String problem, String hint) {
        super(file, problem + ". Hint: " + hint);
    }
}
