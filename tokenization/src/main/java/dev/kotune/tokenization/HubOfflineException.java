package dev.kotune.tokenization;

/**
 * {@code HF_HUB_OFFLINE} is set and the hub file is not in the local cache, so it cannot be had.
 *
 * <p>Immutable, thread-safe.
 */
public final class HubOfflineException extends TokenizationException {
    private static final long serialVersionUID = 1L;

    public HubOfflineException(String message) {
        super(message);
    }
}
