package dev.kotune.engine.process;

import dev.kotune.engine.TokenSequence;

/**
 * HF {@code MinNewTokensLengthLogitsProcessor}: EOS ids get {@code -inf} while fewer than {@code minNewTokens}
 * tokens were generated after the (padded) prompt. Thread-safe.
 */
public final class MinNewTokensProcessor implements LogitsProcessor {

    private final int minNewTokens;
    private final int[] eos;

    public MinNewTokensProcessor(int minNewTokens, int[] eosTokenIds) {
        this.minNewTokens = minNewTokens;
        this.eos = eosTokenIds.clone();
    }

    @Override
    public void process(TokenSequence seq, float[] logits) {
        if (seq.generatedCount() < minNewTokens) {
            BanTokens.ban(logits, eos);
        }
    }
}
