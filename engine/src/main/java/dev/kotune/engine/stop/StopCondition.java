package dev.kotune.engine.stop;

import dev.kotune.engine.FinishReason;
import dev.kotune.engine.TokenSequence;

/**
 * Decides after each new token whether a sequence is finished. Implementations are immutable and thread-safe.
 */
@FunctionalInterface
public interface StopCondition {

    /**
     * @param sequence  the row including the token just appended
     * @param text      the row's generated text so far (streamed, UTF-8 safe), or "" without a detokenizer
     * @param newChars  how many chars at the end of {@code text} arrived with this token
     * @return the reason to stop, or null to go on
     */
    FinishReason check(TokenSequence sequence, String text, int newChars);
}
