package dev.kotune.engine;

/**
 * A {@link BatchScheduler} refused a request because its waiting queue is full; try again later. Edges answer
 * HTTP 429 with {@code Retry-After} / gRPC {@code RESOURCE_EXHAUSTED}.
 */
public final class QueueFullException extends RuntimeException {

    private final int retryAfterSeconds;

    public QueueFullException(String message, int retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A hint for the client: seconds until a retry is likely to be admitted (at least 1). */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
