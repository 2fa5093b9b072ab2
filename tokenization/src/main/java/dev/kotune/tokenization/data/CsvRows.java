package dev.kotune.tokenization.data;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A CSV file with a header row, read the one way every module reads CSV: RFC 4180 (Apache Commons CSV) — fields split
 * on {@code ,}; a double quote opens a quoted field only at the field's start; inside quotes {@code ""} is a quote and
 * commas and line breaks belong to the field; records end at CRLF, LF or CR; empty lines are skipped; strict UTF-8 with
 * a leading byte order mark skipped ({@link Utf8Files}). The first record is the header; a column is found by its name
 * with surrounding whitespace ignored. Errors name the file, the row and the column, never a cell's or the header's
 * text. Not thread-safe: one instance reads one file once.
 */
public final class CsvRows implements Closeable {

    /** The CSV dialect: RFC 4180, empty lines skipped, no header handling by the library (done here, by index). */
    public static final CSVFormat FORMAT =
            CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();

    private final Path file;
    private final BufferedReader reader;
    private final Iterator<CSVRecord> records;
    private final List<String> header;
    private long row;

    private CsvRows(Path file, BufferedReader reader, Iterator<CSVRecord> records, List<String> header) {
        this.file = file;
        this.reader = reader;
        this.records = records;
        this.header = header;
    }

    /**
     * Opens {@code file} and reads its header.
     *
     * @throws IOException when it cannot be opened, is empty (no header) or is not UTF-8 / CSV up to the header
     */
    public static CsvRows open(Path file) throws IOException {
        BufferedReader reader = Utf8Files.open(file);
        try {
            Iterator<CSVRecord> records = CSVParser.builder()
                    .setReader(reader)
                    .setFormat(FORMAT)
                    .get()
                    .iterator();
            CsvRows rows = new CsvRows(file, reader, records, List.of());
            Optional<List<String>> header = rows.nextCells("the header");
            if (header.isEmpty()) {
                throw new IOException(file + ": empty file: a CSV header row is required");
            }
            return new CsvRows(file, reader, records, header.get());
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /** How many columns the header names. */
    public int columns() {
        return header.size();
    }

    /**
     * The index of the column named {@code name} (surrounding whitespace ignored).
     *
     * @throws IOException when the header has no such column (the message gives the column count, not the names)
     */
    public int column(String name) throws IOException {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).strip().equals(name.strip())) {
                return i;
            }
        }
        throw new IOException(file + ": no column \"" + name + "\" in the CSV header (" + header.size()
                + (header.size() == 1 ? " column)" : " columns)"));
    }

    /**
     * The next data row, or empty at the end of the file.
     *
     * @throws IOException when the file is not UTF-8 or not CSV there (e.g. an unterminated quote), naming the row
     */
    public Optional<Row> next() throws IOException {
        Optional<List<String>> cells = nextCells("row " + (row + 1));
        if (cells.isEmpty()) {
            return Optional.empty();
        }
        row++;
        return Optional.of(new Row(row, cells.get()));
    }

    private Optional<List<String>> nextCells(String where) throws IOException {
        try {
            if (!records.hasNext()) {
                return Optional.empty();
            }
            return Optional.of(records.next().toList());
        } catch (UncheckedIOException e) {
            IOException cause = e.getCause();
            IOException utf8 = Utf8Files.notUtf8(file, "in " + where, cause);
            if (utf8 != cause) {
                throw utf8;
            }
            throw new IOException(file + ": " + where + " is not valid CSV (" + cause.getMessage() + ")", cause);
        } catch (IllegalStateException e) {
            throw new IOException(file + ": " + where + " is not valid CSV (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /**
     * One data record.
     *
     * @param number the row's number among the data rows, 1 for the row after the header
     * @param cells the record's fields as read (quotes removed, no trimming)
     */
    public record Row(long number, List<String> cells) {
        public Row {
            cells = List.copyOf(cells);
        }

        /** The cell at {@code index}, or null when the row is shorter. */
        public String cell(int index) {
            return index < cells.size() ? cells.get(index) : null;
        }

        /** Whether the record is one empty field (a line of nothing, as some writers leave). */
        public boolean isBlank() {
            return cells.size() == 1 && cells.get(0).isEmpty();
        }
    }
}
