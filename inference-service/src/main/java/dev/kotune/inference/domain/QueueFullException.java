package dev.kotune.inference.domain;

/**
 * A model has {@code max-concurrent} generations running and {@code max-queue} requests waiting:
 * RESOURCE_EXHAUSTED over gRPC, HTTP 429 over REST. The client may retry later.
 */
public class QueueFullException extends RuntimeException {

    public QueueFullException(String message) {
        super(message);
    }
}
