package dev.kotune.tokenization.train;

import java.time.Duration;

/**
 * What a training run read and learned.
 *
 * <p>Immutable, thread-safe.
 *
 * @param sequences lines and CSV cells read, e.g. 50,161
 * @param words words counted, repeats included
 * @param distinctWords distinct words, e.g. 130,000
 * @param alphabetSize single-character tokens, e.g. 2066
 * @param merges merges learned
 * @param vocabSize tokens in the vocabulary, special tokens included, e.g. 8000
 * @param readTime reading, normalizing and counting words
 * @param trainTime the BPE trainer and writing the JSON
 */
public record TrainingStats(
        long sequences,
        long words,
        int distinctWords,
        int alphabetSize,
        int merges,
        int vocabSize,
        Duration readTime,
        Duration trainTime) {}
