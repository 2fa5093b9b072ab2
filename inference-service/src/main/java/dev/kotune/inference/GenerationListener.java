package dev.kotune.inference;

import dev.kotune.inference.domain.CompletionChunk;

/**
 * Receives a generation's output as it is produced (streaming) and tells the generator when the client went away.
 * Called on the request's own thread (the scheduler thread only queues tokens for it), so it may write to the client;
 * {@link #isCancelled} is also polled by the scheduler thread between steps and must be cheap and thread-safe.
 */
public interface GenerationListener {

    /** New output since the previous chunk. */
    void onChunk(CompletionChunk chunk);

    /** Whether the client cancelled; the generator checks it every step and stops with FinishReason.CANCELLED. */
    boolean isCancelled();
}
