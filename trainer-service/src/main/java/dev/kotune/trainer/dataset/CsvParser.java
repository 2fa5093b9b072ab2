package dev.kotune.trainer.dataset;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 CSV reader: comma separated, fields optionally in double quotes, {@code ""} inside quotes is a
 * quote, line breaks inside quotes belong to the field, CRLF or LF ends a record, a leading UTF-8 BOM is skipped.
 * Not thread-safe: one instance reads one stream.
 */
final class CsvParser {

    private final Reader in;
    private int pushedBack = -2;
    private boolean first = true;

    CsvParser(Reader in) {
        this.in = in;
    }

    /** The next record's fields, or null at the end of the input. */
    List<String> next() throws IOException {
        int c = read();
        if (first) {
            first = false;
            if (c == '\uFEFF') {
                c = read();
            }
        }
        if (c == -1) {
            return null;
        }
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean fieldStart = true;
        while (true) {
            if (c == '"' && fieldStart) {
                c = readQuoted(field);
                fieldStart = false;
                continue;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                fieldStart = true;
            } else if (c == '\r' || c == '\n' || c == -1) {
                if (c == '\r') {
                    int n = read();
                    if (n != '\n') {
                        pushedBack = n;
                    }
                }
                fields.add(field.toString());
                return fields;
            } else {
                field.append((char) c);
                fieldStart = false;
            }
            c = read();
        }
    }

    /**
     * Reads a quoted field's content after its opening quote into {@code field}, {@code ""} as a quote; returns the
     * character after the closing quote.
     */
    private int readQuoted(StringBuilder field) throws IOException {
        while (true) {
            int c = read();
            if (c == -1) {
                throw new IOException("unterminated quoted field");
            }
            if (c == '"') {
                int n = read();
                if (n != '"') {
                    return n;
                }
            }
            field.append((char) c);
        }
    }

    private int read() throws IOException {
        if (pushedBack != -2) {
            int c = pushedBack;
            pushedBack = -2;
            return c;
        }
        return in.read();
    }
}
