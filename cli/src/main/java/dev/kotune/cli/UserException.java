package dev.kotune.cli;

/** A failure caused by the user's input or environment: printed as one line, no stack trace. */
public final class UserException extends RuntimeException {
    private final int exitCode;

    public UserException(String message) {
        this(message, 1);
    }

    public UserException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
