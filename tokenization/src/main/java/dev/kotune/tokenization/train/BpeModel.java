package dev.kotune.tokenization.train;

import java.util.List;

/**
 * A trained BPE model: the vocabulary by id and the merges by rank.
 *
 * <p>Immutable, thread-safe.
 *
 * @param vocab token of each id: special tokens first, then the alphabet (by code point), then merged tokens in
 *     the order they were learned; e.g. 8000 tokens
 * @param merges merges by rank, e.g. 5927 of them
 * @param alphabetSize how many single-character tokens the alphabet added, e.g. 2066
 */
public record BpeModel(List<String> vocab, List<BpeMerge> merges, int alphabetSize) {
    public BpeModel {
        vocab = List.copyOf(vocab);
        merges = List.copyOf(merges);
    }

    /** The id of {@code token}, or -1. */
    public int idOf(String token) {
        return vocab.indexOf(token);
    }
}
