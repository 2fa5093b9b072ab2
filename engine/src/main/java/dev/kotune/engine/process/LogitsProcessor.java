package dev.kotune.engine.process;

import dev.kotune.engine.TokenSequence;

/**
 * One step of Hugging Face's logits pipeline: rewrites the fp32 next-token scores of one row in place
 * ({@code -inf} bans a token). Implementations are small, stateless between calls and safe to share between
 * threads unless they say otherwise.
 */
@FunctionalInterface
public interface LogitsProcessor {

    /**
     * @param sequence the row so far (padding + prompt + generated), as HF's {@code input_ids}
     * @param logits   next-token scores, length = vocab size; modified in place
     */
    void process(TokenSequence sequence, float[] logits);
}
