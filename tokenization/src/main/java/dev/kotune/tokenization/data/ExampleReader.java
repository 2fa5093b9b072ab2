package dev.kotune.tokenization.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.tokenization.Example;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {prompt, completion} examples from a file: the one reader for the trainer's datasets and the CLI's
 * {@code --data}. JSONL: one object per line, {@code prompt} and {@code completion} must be strings, blank lines are
 * skipped. CSV ({@link CsvRows}: RFC 4180, header row, BOM skipped): the two columns by name; a completion that does
 * not start with a space gets one, as the notebook's data had. A record with a missing or blank prompt or completion,
 * or a line that is not a JSON object, is skipped and reported as a problem naming the line or row and the field,
 * never the file's text. Stops after {@code limit} examples when the limit is positive. Stateless and thread-safe.
 */
public final class ExampleReader {

    /** Problems listed before the rest are only counted. */
    public static final int MAX_LISTED_PROBLEMS = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a file held.
     *
     * @param examples every well-formed example, up to the limit, in file order
     * @param problems e.g. {@code row 3: completion ("A") is blank}; the last may be {@code ... and 12 more}
     * @param skipped how many records were skipped for a problem (listed or not)
     */
    public record Loaded(List<Example> examples, List<String> problems, int skipped) {
        public Loaded {
            examples = List.copyOf(examples);
            problems = List.copyOf(problems);
        }
    }

    /**
     * Reads {@code file}.
     *
     * @param promptColumn CSV only: the prompt column's name, e.g. {@code Q}
     * @param completionColumn CSV only: the completion column's name, e.g. {@code A}
     * @param limit at most this many examples; 0 or less = all
     * @throws IOException when the file cannot be opened or is not in the format at all (not UTF-8, no CSV header, a
     *     missing column, an unterminated quote); the message names the file and where, not its content
     */
    public Loaded read(Path file, ExampleFormat format, String promptColumn, String completionColumn, int limit)
            throws IOException {
        Collector out = new Collector(limit);
        if (format == ExampleFormat.JSONL) {
            readJsonl(file, out);
        } else {
            readCsv(file, promptColumn, completionColumn, out);
        }
        return out.result();
    }

    private static void readJsonl(Path file, Collector out) throws IOException {
        try (BufferedReader reader = Utf8Files.open(file)) {
            int number = 0;
            String line;
            while (!out.full() && (line = readLine(reader, file, number)) != null) {
                number++;
                if (!line.isBlank()) {
                    jsonLine(line, "line " + number, out);
                }
            }
        }
    }

    private static String readLine(BufferedReader reader, Path file, int linesRead) throws IOException {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw Utf8Files.notUtf8(file, "at line " + (linesRead + 1), e);
        }
    }

    private static void jsonLine(String line, String where, Collector out) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            out.skip(where + ": not a JSON object");
            return;
        }
        out.add(where, "prompt", text(node, "prompt"), "completion", text(node, "completion"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static void readCsv(Path file, String promptColumn, String completionColumn, Collector out)
            throws IOException {
        try (CsvRows csv = CsvRows.open(file)) {
            int prompt = csv.column(promptColumn);
            int completion = csv.column(completionColumn);
            String promptName = "prompt (\"" + promptColumn + "\")";
            String completionName = "completion (\"" + completionColumn + "\")";
            Optional<CsvRows.Row> row;
            while (!out.full() && (row = csv.next()).isPresent()) {
                CsvRows.Row r = row.get();
                if (!r.isBlank()) {
                    String where = "row " + r.number();
                    out.add(where, promptName, r.cell(prompt), completionName, withLeadingSpace(r.cell(completion)));
                }
            }
        }
    }

    /** The notebook's completions start with a space; a CSV cell that lacks it gets one. */
    static String withLeadingSpace(String completion) {
        if (completion == null || completion.isBlank() || completion.startsWith(" ")) {
            return completion;
        }
        return " " + completion;
    }

    /** Gathers examples and problems, listing at most {@link #MAX_LISTED_PROBLEMS}. Not thread-safe. */
    private static final class Collector {
        private final int limit;
        private final List<Example> examples = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private int skipped;

        Collector(int limit) {
            this.limit = limit;
        }

        boolean full() {
            return limit > 0 && examples.size() >= limit;
        }

        void add(String where, String promptName, String prompt, String completionName, String completion) {
            String promptProblem = missingOrBlank(prompt);
            String completionProblem = missingOrBlank(completion);
            if (promptProblem == null && completionProblem == null) {
                examples.add(new Example(prompt, completion));
                return;
            }
            List<String> parts = new ArrayList<>();
            if (promptProblem != null) {
                parts.add(promptName + " is " + promptProblem);
            }
            if (completionProblem != null) {
                parts.add(completionName + " is " + completionProblem);
            }
            skip(where + ": " + String.join(", ", parts));
        }

        private static String missingOrBlank(String text) {
            return text == null ? "missing" : text.isBlank() ? "blank" : null;
        }

        void skip(String problem) {
            skipped++;
            if (problems.size() < MAX_LISTED_PROBLEMS) {
                problems.add(problem);
            }
        }

        Loaded result() {
            List<String> all = new ArrayList<>(problems);
            if (skipped > problems.size()) {
                all.add("... and " + (skipped - problems.size()) + " more");
            }
            return new Loaded(examples, all, skipped);
        }
    }
}
