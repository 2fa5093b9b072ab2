package dev.kotune.engine.stop;

import dev.kotune.engine.FinishReason;
import dev.kotune.engine.TokenSequence;

/**
 * Stops when the padded row reaches {@code maxLength} tokens (HF {@code MaxLengthCriteria}: prompt + max_new_tokens,
 * or max_length). Thread-safe.
 */
public final class MaxLengthStop implements StopCondition {

    private final int maxLength;

    public MaxLengthStop(int maxLength) {
        this.maxLength = maxLength;
    }

    @Override
    public FinishReason check(TokenSequence sequence, String text, int newChars) {
        return sequence.length() >= maxLength ? FinishReason.LENGTH : null;
    }
}
