package dev.kotune.tokenization.train;

/** One distinct word of the corpus as a sequence of token ids, merged in place by the trainer. Not thread-safe. */
final class SymbolWord {
    /** Receives the pair-count changes a merge causes in one word. */
    interface ChangeSink {
        void change(long pair, int delta);
    }

    private final int[] symbols;
    private int length;

    SymbolWord(int[] symbols, int length) {
        this.symbols = symbols;
        this.length = length;
    }

    int length() {
        return length;
    }

    int symbol(int i) {
        return symbols[i];
    }

    /**
     * Replaces each occurrence of (left, right), scanning left to right ({@code a a a} with (a, a) gives
     * {@code aa a}), by {@code merged}, and reports, for each occurrence in order: (previous, left) -1,
     * (previous, merged) +1, (right, next) -1, (merged, next) +1, where a previous or next symbol exists. The
     * merged pair itself is not reported.
     */
    void merge(int left, int right, int merged, ChangeSink sink) {
        int w = 0;
        int r = 0;
        while (r < length) {
            if (symbols[r] == left && r + 1 < length && symbols[r + 1] == right) {
                if (w > 0) {
                    int previous = symbols[w - 1];
                    sink.change(PairCounts.key(previous, left), -1);
                    sink.change(PairCounts.key(previous, merged), 1);
                }
                symbols[w++] = merged;
                r += 2;
                if (r < length) {
                    int next = symbols[r];
                    sink.change(PairCounts.key(right, next), -1);
                    sink.change(PairCounts.key(merged, next), 1);
                }
            } else {
                symbols[w++] = symbols[r++];
            }
        }
        length = w;
    }
}
