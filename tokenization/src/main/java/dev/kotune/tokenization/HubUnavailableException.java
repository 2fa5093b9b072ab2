package dev.kotune.tokenization;

/**
 * The hub endpoint could not be reached or answered with a server error, and the file is not cached.
 * Retrying later may succeed.
 *
 * <p>Immutable, thread-safe.
 */
public final class HubUnavailableException extends TokenizationException {
    private static final long serialVersionUID = 1L;

    public HubUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
