package dev.kotune.tokenization.train;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Settings of {@link BpeTrainer}, with the meaning Hugging Face's {@code BpeTrainer} gives its fields of the same
 * name.
 *
 * <p>Immutable, thread-safe.
 *
 * @param vocabSize the target vocabulary size, special tokens and alphabet included, e.g. 8000; merging stops
 *     when the vocabulary reaches it (the alphabet alone may exceed it: then no merge is learned)
 * @param minFrequency a pair seen fewer times than this is never merged, e.g. 0 (every pair seen at least once)
 * @param limitAlphabet keep at most this many characters in the initial alphabet (the most frequent ones; initial
 *     alphabet characters first), e.g. empty (keep every character seen)
 * @param initialAlphabet characters always in the alphabet even when the corpus lacks them, e.g. {@code "\n"} so
 *     that a prompt template's line break is never {@code <unk>}; each code point counts once, order is irrelevant
 * @param specialTokens tokens given the first ids, in order, e.g. {@link KoGpt2Conventions#SPECIAL_TOKENS}
 */
public record BpeTrainerOptions(
        int vocabSize,
        long minFrequency,
        OptionalInt limitAlphabet,
        String initialAlphabet,
        List<String> specialTokens) {

    /** The default initial alphabet: a line break, which the notebook's prompt template contains. */
    public static final String DEFAULT_INITIAL_ALPHABET = "\n";

    public BpeTrainerOptions {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
        }
        if (minFrequency < 0) {
            throw new IllegalArgumentException("minFrequency must be >= 0, got " + minFrequency);
        }
        Objects.requireNonNull(limitAlphabet, "limitAlphabet");
        if (limitAlphabet.isPresent() && limitAlphabet.getAsInt() < 0) {
            throw new IllegalArgumentException("limitAlphabet must be >= 0, got " + limitAlphabet.getAsInt());
        }
        Objects.requireNonNull(initialAlphabet, "initialAlphabet");
        specialTokens = List.copyOf(specialTokens);
        if (new LinkedHashSet<>(specialTokens).size() != specialTokens.size()) {
            throw new IllegalArgumentException("special tokens repeat: " + specialTokens);
        }
        for (String s : specialTokens) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a special token is empty");
            }
        }
    }

    /** KoGPT2's special tokens, a line break in the initial alphabet, no alphabet limit, every pair mergeable. */
    public static BpeTrainerOptions kogpt2(int vocabSize) {
        return new BpeTrainerOptions(
                vocabSize, 0, OptionalInt.empty(), DEFAULT_INITIAL_ALPHABET, KoGpt2Conventions.SPECIAL_TOKENS);
    }

    public BpeTrainerOptions withMinFrequency(long value) {
        return new BpeTrainerOptions(vocabSize, value, limitAlphabet, initialAlphabet, specialTokens);
    }

    public BpeTrainerOptions withLimitAlphabet(OptionalInt value) {
        return new BpeTrainerOptions(vocabSize, minFrequency, value, initialAlphabet, specialTokens);
    }

    public BpeTrainerOptions withInitialAlphabet(String value) {
        return new BpeTrainerOptions(vocabSize, minFrequency, limitAlphabet, value, specialTokens);
    }

    /** The distinct code points of {@link #initialAlphabet()}, in first-seen order. */
    List<Integer> initialCodePoints() {
        return new ArrayList<>(
                new LinkedHashSet<>(initialAlphabet.codePoints().boxed().toList()));
    }
}
