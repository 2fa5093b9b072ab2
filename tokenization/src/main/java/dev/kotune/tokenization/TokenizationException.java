package dev.kotune.tokenization;

/**
 * Base of every failure the tokenization library reports on purpose. Callers map the subclasses to their own
 * error model (the tokenizer service maps them to gRPC status codes; the CLI prints one line).
 *
 * <p>Immutable, thread-safe.
 */
public abstract class TokenizationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected TokenizationException(String message) {
        super(message);
    }

    protected TokenizationException(String message, Throwable cause) {
        super(message, cause);
    }
}
