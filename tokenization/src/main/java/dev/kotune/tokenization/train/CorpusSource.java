package dev.kotune.tokenization.train;

import java.util.List;
import java.util.Objects;

/**
 * One training input: a text file, one sequence per line, or some columns of a CSV file, one sequence per cell.
 *
 * <p>Immutable, thread-safe.
 *
 * @param file the file, e.g. {@code ../shared/data/nsmc/nsmc_reviews_sample.txt}
 * @param csvColumns for a CSV file, the header names of the columns to read, e.g. {@code [Q, A]}; empty for a
 *     text file
 */
public record CorpusSource(java.nio.file.Path file, List<String> csvColumns) {
    public CorpusSource {
        Objects.requireNonNull(file, "file");
        csvColumns = List.copyOf(csvColumns);
    }

    /** A text file: every line is a sequence. */
    public static CorpusSource lines(java.nio.file.Path file) {
        return new CorpusSource(file, List.of());
    }

    /** A CSV file with a header row: every cell of {@code columns} is a sequence. */
    public static CorpusSource csv(java.nio.file.Path file, List<String> columns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a CSV source needs at least one column: " + file);
        }
        return new CorpusSource(file, columns);
    }

    public boolean isCsv() {
        return !csvColumns.isEmpty();
    }

    @Override
    public String toString() {
        return isCsv() ? file + " (CSV columns " + String.join(",", csvColumns) + ")" : file + " (lines)";
    }
}
