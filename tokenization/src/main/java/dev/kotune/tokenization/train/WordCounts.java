package dev.kotune.tokenization.train;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How often each word occurs in a corpus, words cut by {@link KoGpt2WordSplitter}: what {@link BpeTrainer} learns
 * from. The order sequences are added in does not matter.
 *
 * <p>Mutable, not thread-safe.
 */
public final class WordCounts {
    private final KoGpt2WordSplitter splitter;
    private final Map<String, Long> counts = new HashMap<>();
    private long sequences;
    private long words;

    public WordCounts() {
        this(new KoGpt2WordSplitter());
    }

    public WordCounts(KoGpt2WordSplitter splitter) {
        this.splitter = Objects.requireNonNull(splitter, "splitter");
    }

    /** Counts the words of one text (a line, a CSV cell). */
    public void addSequence(String text) {
        sequences++;
        for (String word : splitter.words(text)) {
            add(word, 1);
        }
    }

    /** Counts {@code word} {@code count} more times (as given: no normalization, no splitting). */
    public void add(String word, long count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        counts.merge(word, count, Math::addExact);
        words += count;
    }

    /** Word → count, read-only view. */
    public Map<String, Long> asMap() {
        return Collections.unmodifiableMap(counts);
    }

    /** Texts added with {@link #addSequence}. */
    public long sequences() {
        return sequences;
    }

    /** Words counted, repeats included. */
    public long totalWords() {
        return words;
    }

    /** Distinct words. */
    public int distinctWords() {
        return counts.size();
    }
}
