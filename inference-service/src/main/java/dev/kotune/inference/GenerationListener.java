package dev.kotune.inference;

import dev.kotune.inference.domain.CompletionChunk;

/**
 * Receives a generation's output as it is produced (streaming) and tells the generator when the client went away.
 * Called on the generating thread; implementations must be cheap and must not block for long.
 */
public interface GenerationListener {

    /** A listener for unary calls: ignores chunks, never cancelled. */
    GenerationListener NONE = new GenerationListener() {
        @Override
        public void onChunk(CompletionChunk chunk) {}

        @Override
        public boolean isCancelled() {
            return false;
        }
    };

    /** New output since the previous chunk. */
    void onChunk(CompletionChunk chunk);

    /** Whether the client cancelled; the generator checks it every step and stops with FinishReason.CANCELLED. */
    boolean isCancelled();
}
