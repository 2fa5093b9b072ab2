package dev.kotune.trainer.domain;

import dev.kotune.tokenization.Example;
import java.util.List;

/**
 * Where a job's training examples come from, with every default resolved. Immutable, thread-safe.
 *
 * <p>Either inline ({@code format == INLINE}, {@code examples} non-empty, {@code path} null) or a file
 * ({@code format} JSONL or CSV, {@code path} an absolute path, {@code examples} empty).
 *
 * @param format           INLINE, JSONL or CSV
 * @param examples         the inline examples (empty for a file), e.g. 12 pairs
 * @param path             absolute path of the file, e.g. "/data/ChatbotData.csv"; null when inline
 * @param promptColumn     CSV only: prompt column, e.g. "Q"
 * @param completionColumn CSV only: completion column, e.g. "A"
 * @param limit            use at most this many examples in file order; 0 = all
 */
public record Dataset(
        DatasetFormat format,
        List<Example> examples,
        String path,
        String promptColumn,
        String completionColumn,
        int limit) {

    public Dataset {
        examples = List.copyOf(examples);
    }

    /** An inline dataset. */
    public static Dataset inline(List<Example> examples, int limit) {
        return new Dataset(DatasetFormat.INLINE, examples, null, null, null, limit);
    }

    /** Whether the examples are carried in the job. */
    public boolean isInline() {
        return format == DatasetFormat.INLINE;
    }
}
