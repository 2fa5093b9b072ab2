package dev.kotune.inference.domain;

/**
 * A model could not be loaded because the memory budget ({@code kotune.inference.models-memory-budget}) is full of
 * models that are busy or pinned, and none became free within {@code kotune.inference.model-load-wait}: HTTP 503 with
 * {@code Retry-After} and code {@code model_memory_budget}, gRPC UNAVAILABLE. Retrying later succeeds once rows finish.
 */
public class ModelMemoryBudgetException extends ModelUnavailableException {

    private final int retryAfterSeconds;

    public ModelMemoryBudgetException(String message, int retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds after which a retry may find room, for the Retry-After header. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
