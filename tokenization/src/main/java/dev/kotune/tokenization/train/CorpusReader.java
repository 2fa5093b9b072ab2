package dev.kotune.tokenization.train;

import dev.kotune.tokenization.data.CsvRows;
import dev.kotune.tokenization.data.Utf8Files;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads the sequences of a {@link CorpusSource}. Files are strict UTF-8 with a leading byte order mark skipped
 * ({@link Utf8Files}). A text file is cut into lines at {@code \r\n}, {@code \n} and {@code \r}, terminators removed;
 * a CSV file is read by {@link CsvRows} (the data readers' one CSV dialect: RFC 4180, header row, columns by name),
 * and the cells of the chosen columns are read row by row, left to right in the order the columns were named. Lines
 * and cells are used as they are (no trimming). Errors name the file, row and column, never the file's text.
 *
 * <p>Stateless, thread-safe.
 */
public final class CorpusReader {
    /** Calls {@code sink} with every sequence of {@code source}, in file order; returns how many there were. */
    public long read(CorpusSource source, Consumer<String> sink) throws IOException {
        return source.isCsv() ? readCsv(source, sink) : readLines(source, sink);
    }

    private static long readLines(CorpusSource source, Consumer<String> sink) throws IOException {
        long n = 0;
        try (BufferedReader reader = Utf8Files.open(source.file())) {
            StringBuilder line = new StringBuilder();
            boolean pendingLine = false;
            int c;
            while ((c = read(reader, source, n)) != -1) {
                if (c == '\n' || c == '\r') {
                    sink.accept(line.toString());
                    n++;
                    line.setLength(0);
                    pendingLine = false;
                    if (c == '\r') {
                        reader.mark(1);
                        if (read(reader, source, n) != '\n') {
                            reader.reset();
                        }
                    }
                } else {
                    line.append((char) c);
                    pendingLine = true;
                }
            }
            if (pendingLine) {
                sink.accept(line.toString());
                n++;
            }
        }
        return n;
    }

    private static int read(BufferedReader reader, CorpusSource source, long linesRead) throws IOException {
        try {
            return reader.read();
        } catch (IOException e) {
            throw Utf8Files.notUtf8(source.file(), "at line " + (linesRead + 1), e);
        }
    }

    private static long readCsv(CorpusSource source, Consumer<String> sink) throws IOException {
        long n = 0;
        try (CsvRows csv = CsvRows.open(source.file())) {
            List<Integer> columns = new ArrayList<>();
            for (String name : source.csvColumns()) {
                columns.add(csv.column(name));
            }
            Optional<CsvRows.Row> row;
            while ((row = csv.next()).isPresent()) {
                for (int index : columns) {
                    String cell = row.get().cell(index);
                    if (cell == null) {
                        throw new IOException(source.file() + ": row "
                                + row.get().number() + " has "
                                + row.get().cells().size() + " fields, fewer than the header's " + csv.columns());
                    }
                    sink.accept(cell);
                    n++;
                }
            }
        }
        return n;
    }
}
