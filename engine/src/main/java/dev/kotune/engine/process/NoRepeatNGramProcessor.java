package dev.kotune.engine.process;

import dev.kotune.engine.TokenSequence;

/**
 * HF {@code NoRepeatNGramLogitsProcessor}: over the whole row (left padding and prompt included), every token that
 * would complete an n-gram already present gets {@code -inf}. Nothing is banned while the row is shorter than n.
 * Thread-safe.
 */
public final class NoRepeatNGramProcessor implements LogitsProcessor {

    private final int n;

    /** @param n n-gram size ≥ 1, e.g. 2 */
    public NoRepeatNGramProcessor(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("no_repeat_ngram_size must be >= 1 here, got " + n);
        }
        this.n = n;
    }

    @Override
    public void process(TokenSequence seq, float[] logits) {
        int len = seq.length();
        if (len < n) {
            return;
        }
        int prefixStart = len - n + 1; // the last n-1 tokens
        for (int s = 0; s + n <= len; s++) {
            boolean match = true;
            for (int j = 0; j < n - 1 && match; j++) {
                match = seq.get(s + j) == seq.get(prefixStart + j);
            }
            if (match) {
                int banned = seq.get(s + n - 1);
                if (banned >= 0 && banned < logits.length) {
                    logits[banned] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }
}
