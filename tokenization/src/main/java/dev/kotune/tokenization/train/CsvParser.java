package dev.kotune.tokenization.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses CSV text as Python's {@code csv.reader} (default dialect, file opened with {@code newline=''}) does: fields
 * split on {@code ,}; a quote opens a quoted field only at the start of a field; inside quotes {@code ""} is one quote
 * and commas and line breaks are kept; rows end at {@code \r\n}, {@code \n} or {@code \r}; blank lines give no row.
 *
 * <p>Stateless, thread-safe.
 */
final class CsvParser {
    private CsvParser() {}

    static List<List<String>> parse(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean atFieldStart = true;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < n && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i += 2;
                    continue;
                }
                if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
                i++;
            } else if (c == '"' && atFieldStart) {
                quoted = true;
                atFieldStart = false;
                i++;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
                atFieldStart = true;
                i++;
            } else if (c == '\r' || c == '\n') {
                if (!(row.isEmpty() && atFieldStart)) {
                    row.add(field.toString());
                    rows.add(row);
                }
                row = new ArrayList<>();
                field.setLength(0);
                atFieldStart = true;
                i += c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n' ? 2 : 1;
            } else {
                field.append(c);
                atFieldStart = false;
                i++;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(
                    "unexpected end of CSV inside a quoted field (row " + (rows.size() + 1) + ")");
        }
        if (!(row.isEmpty() && atFieldStart)) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}
