package dev.kotune.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file is unreadable or does not fit the model: the message always names the file and the problem
 * (and, for a tensor, its key and the expected/actual shape). Immutable.
 */
public class CheckpointException extends IOException {

    private final transient Path file;

    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")"), cause);
        this.file = file;
    }

    /** The file (or directory) the problem is in. */
    public Path file() {
        return file;
    }
}
