package dev.kotune.trainer.dataset;

import dev.kotune.tokenization.Example;
import dev.kotune.tokenization.data.ExampleFormat;
import dev.kotune.tokenization.data.ExampleReader;
import dev.kotune.trainer.domain.Dataset;
import dev.kotune.trainer.domain.DatasetFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads a job's dataset: inline examples as they are, a JSONL or CSV file through tokenization's one
 * {@link ExampleReader} (the CLI reads its {@code --data} the same way). Problems name the line or row and the
 * field, never the file's text. Stops after the dataset's limit when it is positive. Stateless and thread-safe.
 */
public final class DatasetReader {

    private final ExampleReader files = new ExampleReader();

    /**
     * The examples and the problems found on the way (blank fields, malformed lines), in file order.
     *
     * @param examples every well-formed example, up to the limit
     * @param problems e.g. {@code row 3: completion ("A") is blank}; the last one may be "... and 12 more"
     */
    public record Loaded(List<Example> examples, List<String> problems) {
        public Loaded {
            examples = List.copyOf(examples);
            problems = List.copyOf(problems);
        }
    }

    /**
     * Reads {@code dataset}.
     *
     * @throws IOException when the file cannot be opened or is not in the declared format at all (not UTF-8, no
     *     header, a missing column, an unterminated quote)
     */
    public Loaded read(Dataset dataset) throws IOException {
        if (dataset.isInline()) {
            List<Example> all = dataset.examples();
            int n = dataset.limit() > 0 ? Math.min(dataset.limit(), all.size()) : all.size();
            return new Loaded(all.subList(0, n), List.of());
        }
        ExampleFormat format = dataset.format() == DatasetFormat.JSONL ? ExampleFormat.JSONL : ExampleFormat.CSV;
        ExampleReader.Loaded loaded = files.read(
                Path.of(dataset.path()), format, dataset.promptColumn(), dataset.completionColumn(), dataset.limit());
        return new Loaded(loaded.examples(), loaded.problems());
    }
}
