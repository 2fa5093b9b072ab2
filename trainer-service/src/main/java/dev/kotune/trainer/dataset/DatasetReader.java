package dev.kotune.trainer.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.tokenization.Example;
import dev.kotune.trainer.domain.Dataset;
import dev.kotune.trainer.domain.DatasetFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a dataset's examples: inline ones as they are, JSONL ({"prompt", "completion"} per line) or CSV with a header
 * (prompt/completion columns by name; a leading space is added to a CSV completion that lacks one, as the notebook's
 * data had). Stops after {@code limit} examples when the limit is positive. Stateless and thread-safe.
 */
public final class DatasetReader {

    /** Per-record problems listed before the rest are only counted. */
    static final int MAX_LISTED_PROBLEMS = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The examples and the problems found on the way (blank fields, malformed lines), in file order.
     *
     * @param examples every well-formed example, up to the limit
     * @param problems e.g. "line 3: prompt is blank"; the last one may be "... and 12 more"
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
     * @throws IOException when the file cannot be opened or is not in the declared format at all (no header, a
     *                     missing column, an unterminated quote)
     */
    public Loaded read(Dataset dataset) throws IOException {
        if (dataset.isInline()) {
            List<Example> all = dataset.examples();
            int n = dataset.limit() > 0 ? Math.min(dataset.limit(), all.size()) : all.size();
            return new Loaded(all.subList(0, n), List.of());
        }
        Path path = Path.of(dataset.path());
        if (dataset.format() == DatasetFormat.JSONL) {
            return readJsonl(path, dataset.limit());
        }
        return readCsv(path, dataset.promptColumn(), dataset.completionColumn(), dataset.limit());
    }

    private Loaded readJsonl(Path path, int limit) throws IOException {
        Collector out = new Collector(limit);
        try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while (!out.full() && (line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String where = "line " + number;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    out.problem(where + ": not a JSON object");
                    continue;
                }
                if (node == null || !node.isObject()) {
                    out.problem(where + ": not a JSON object");
                    continue;
                }
                out.add(where, text(node, "prompt"), text(node, "completion"));
            }
        }
        return out.result();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private Loaded readCsv(Path path, String promptColumn, String completionColumn, int limit) throws IOException {
        Collector out = new Collector(limit);
        try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            CsvParser csv = new CsvParser(reader);
            List<String> header = csv.next();
            if (header == null) {
                throw new IOException("empty file: a CSV header is required");
            }
            int promptIndex = column(header, promptColumn);
            int completionIndex = column(header, completionColumn);
            List<String> row;
            int number = 0;
            while (!out.full() && (row = csv.next()) != null) {
                number++;
                if (row.size() == 1 && row.get(0).isEmpty()) {
                    continue;
                }
                String prompt = promptIndex < row.size() ? row.get(promptIndex) : null;
                String completion = completionIndex < row.size() ? row.get(completionIndex) : null;
                if (completion != null && !completion.isBlank() && !completion.startsWith(" ")) {
                    completion = " " + completion;
                }
                out.add("row " + number, prompt, completion);
            }
        }
        return out.result();
    }

    private static int column(List<String> header, String name) throws IOException {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).strip().equals(name)) {
                return i;
            }
        }
        throw new IOException("no column \"" + name + "\" in the CSV header " + header);
    }

    /** Gathers examples and problems, listing at most {@link #MAX_LISTED_PROBLEMS}. Not thread-safe. */
    private static final class Collector {
        private final int limit;
        private final List<Example> examples = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private int unlisted;

        Collector(int limit) {
            this.limit = limit;
        }

        boolean full() {
            return limit > 0 && examples.size() >= limit;
        }

        void add(String where, String prompt, String completion) {
            boolean ok = true;
            if (prompt == null || prompt.isBlank()) {
                problem(where + ": prompt is " + (prompt == null ? "missing" : "blank"));
                ok = false;
            }
            if (completion == null || completion.isBlank()) {
                problem(where + ": completion is " + (completion == null ? "missing" : "blank"));
                ok = false;
            }
            if (ok) {
                examples.add(new Example(prompt, completion));
            }
        }

        void problem(String text) {
            if (problems.size() < MAX_LISTED_PROBLEMS) {
                problems.add(text);
            } else {
                unlisted++;
            }
        }

        Loaded result() {
            List<String> all = new ArrayList<>(problems);
            if (unlisted > 0) {
                all.add("... and " + unlisted + " more");
            }
            return new Loaded(examples, all);
        }
    }
}
