package dev.kotune.tokenization;

import java.util.List;
import java.util.Objects;

/**
 * The result of {@link ExamplePreparer#prepare}.
 *
 * @param examples one row per input example, in input order
 * @param tokenizerSha256 sha256 of the tokenizer.json used (for checkpoint metadata)
 * @param truncatedCount how many examples were cut to max_length
 */
public record PreparedBatch(List<PreparedExample> examples, String tokenizerSha256, int truncatedCount) {
    public PreparedBatch {
        examples = List.copyOf(examples);
        Objects.requireNonNull(tokenizerSha256, "tokenizerSha256");
    }
}
