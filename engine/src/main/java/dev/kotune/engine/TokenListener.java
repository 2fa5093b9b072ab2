package dev.kotune.engine;

/**
 * Per-token callback for streaming, called on the generating thread right after each step, for every row that was
 * still running (not for the pad fillers HF appends to finished rows).
 */
@FunctionalInterface
public interface TokenListener {

    /**
     * @param row       index of the prompt in the batch
     * @param tokenId   the new token
     * @param textDelta text that became final with this token ("" when held back or without a detokenizer)
     */
    void onToken(int row, int tokenId, String textDelta);

    /** The row finished; {@code textDelta} is what the detokenizer still held back (usually ""). */
    default void onFinish(int row, FinishReason reason, String textDelta) {}
}
