package dev.kotune.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.tokenization.Example;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads {prompt, completion} pairs from a file, as trainer-service reads a job's dataset: CSV with a header row
 * (RFC 4180 quoting; the prompt and completion columns by name, e.g. ChatbotData's {@code Q,A}; a completion gets the
 * leading space the notebook's data had) or JSONL ({@code {"prompt": ..., "completion": ...}} per line). Rows with a
 * blank prompt or completion are skipped and counted. Stateless.
 */
final class ExampleFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The pairs read and how many rows were skipped. */
    record Loaded(List<Example> examples, int skipped) {}

    private ExampleFile() {}

    static Loaded read(Path file, String promptColumn, String completionColumn, int limit) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        boolean jsonl = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl");
        List<Example> out = new ArrayList<>();
        int skipped = 0;
        if (jsonl) {
            int line = 0;
            for (String row : text.split("\r?\n")) {
                line++;
                if (row.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = JSON.readTree(row);
                } catch (IOException e) {
                    throw new IOException(file + " line " + line + ": not a JSON object");
                }
                if (!add(out, n.path("prompt").asText(""), n.path("completion").asText(""))) {
                    skipped++;
                }
                if (limit > 0 && out.size() >= limit) {
                    break;
                }
            }
            return new Loaded(out, skipped);
        }
        List<List<String>> rows = parseCsv(text);
        if (rows.isEmpty()) {
            throw new IOException(file + " is empty: a CSV needs a header row");
        }
        List<String> header = rows.get(0);
        int p = header.indexOf(promptColumn);
        int c = header.indexOf(completionColumn);
        if (p < 0 || c < 0) {
            throw new IOException(file + ": no column \"" + (p < 0 ? promptColumn : completionColumn)
                    + "\" in the CSV header " + header + " (set --csv-columns PROMPT,COMPLETION)");
        }
        for (List<String> row : rows.subList(1, rows.size())) {
            String prompt = p < row.size() ? row.get(p) : "";
            String completion = c < row.size() ? row.get(c) : "";
            if (!completion.isEmpty() && !Character.isWhitespace(completion.charAt(0))) {
                completion = " " + completion;
            }
            if (!add(out, prompt, completion)) {
                skipped++;
            }
            if (limit > 0 && out.size() >= limit) {
                break;
            }
        }
        return new Loaded(out, skipped);
    }

    private static boolean add(List<Example> out, String prompt, String completion) {
        if (prompt.isBlank() || completion.isBlank()) {
            return false;
        }
        out.add(new Example(prompt, completion));
        return true;
    }

    /** RFC 4180: fields split on commas, {@code "..."} quoting with {@code ""} escapes, CRLF/LF/CR ends a record. */
    static List<List<String>> parseCsv(String text) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldStart = true;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    field.append(ch);
                }
            } else if (ch == '"' && fieldStart) {
                quoted = true;
                fieldStart = false;
            } else if (ch == ',') {
                row.add(field.toString());
                field.setLength(0);
                fieldStart = true;
            } else if (ch == '\r' || ch == '\n') {
                if (!(row.isEmpty() && fieldStart && field.length() == 0)) {
                    row.add(field.toString());
                    rows.add(row);
                }
                row = new ArrayList<>();
                field.setLength(0);
                fieldStart = true;
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
            } else {
                field.append(ch);
                fieldStart = false;
            }
        }
        if (quoted) {
            throw new IOException("unterminated quoted field in row " + (rows.size() + 1));
        }
        if (!(row.isEmpty() && fieldStart && field.length() == 0)) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}
