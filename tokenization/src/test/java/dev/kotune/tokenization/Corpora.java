package dev.kotune.tokenization;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads the shared corpora exactly as the oracle's golden headers say it read them. */
final class Corpora {
    private Corpora() {}

    /** UTF-8, split on '\n' only, the empty string after a final '\n' dropped, lines as-is. */
    static List<String> lines(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /**
     * One column of a CSV, header skipped, fields as-is, read as Python's {@code csv.reader} (default dialect,
     * {@code newline=''}) reads it: quotes open only at a field start, {@code ""} inside quotes is a quote, line
     * breaks inside quotes are kept, rows end at {@code \r\n}, {@code \n} or {@code \r}.
     */
    static List<String> csvColumn(Path file, String column) throws IOException {
        List<List<String>> rows = parseCsv(Files.readString(file, StandardCharsets.UTF_8));
        int index = rows.get(0).indexOf(column);
        if (index < 0) {
            throw new IllegalArgumentException("no column " + column + " in " + rows.get(0));
        }
        List<String> out = new ArrayList<>(rows.size() - 1);
        for (List<String> row : rows.subList(1, rows.size())) {
            out.add(row.get(index));
        }
        return out;
    }

    static List<List<String>> parseCsv(String s) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean inQuotes = false;
        boolean fieldStart = true;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (inQuotes) {
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                        continue;
                    }
                    inQuotes = false;
                } else {
                    field.append(c);
                }
                i++;
                continue;
            }
            if (c == '"' && fieldStart) {
                inQuotes = true;
                fieldStart = false;
                i++;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
                fieldStart = true;
                i++;
            } else if (c == '\r' || c == '\n') {
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                fieldStart = true;
                i += (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') ? 2 : 1;
            } else {
                field.append(c);
                fieldStart = false;
                i++;
            }
        }
        if (field.length() > 0 || !row.isEmpty()) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}
