package dev.kotune.engine.process;

import dev.kotune.engine.TokenSequence;

/**
 * HF {@code MinLengthLogitsProcessor}: EOS ids get {@code -inf} while the row (padding and prompt included) is
 * shorter than {@code minLength}. Thread-safe.
 */
public final class MinLengthProcessor implements LogitsProcessor {

    private final int minLength;
    private final int[] eos;

    public MinLengthProcessor(int minLength, int[] eosTokenIds) {
        this.minLength = minLength;
        this.eos = eosTokenIds.clone();
    }

    @Override
    public void process(TokenSequence seq, float[] logits) {
        if (seq.length() < minLength) {
            BanTokens.ban(logits, eos);
        }
    }
}
