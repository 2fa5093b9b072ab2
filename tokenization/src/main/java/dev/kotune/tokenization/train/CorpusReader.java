package dev.kotune.tokenization.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the sequences of a {@link CorpusSource}. Files are strict UTF-8 (a leading byte order mark is skipped). A text
 * file is cut into lines at {@code \r\n}, {@code \n} and {@code \r}, terminators removed; a CSV file is parsed by
 * {@link CsvParser}, its first row is the header, and the cells of the chosen columns are read row by row, left to
 * right in the order the columns were named. Lines and cells are used as they are (no trimming).
 *
 * <p>Stateless, thread-safe.
 */
public final class CorpusReader {
    /** Calls {@code sink} with every sequence of {@code source}, in file order; returns how many there were. */
    public long read(CorpusSource source, Consumer<String> sink) throws IOException {
        String text = readUtf8(source);
        long n = 0;
        if (!source.isCsv()) {
            int start = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n' || c == '\r') {
                    sink.accept(text.substring(start, i));
                    n++;
                    if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                        i++;
                    }
                    start = i + 1;
                }
            }
            if (start < text.length()) {
                sink.accept(text.substring(start));
                n++;
            }
            return n;
        }
        List<List<String>> rows;
        try {
            rows = CsvParser.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(source.file() + ": " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new IOException(source.file() + ": empty CSV file (no header row)");
        }
        List<String> header = rows.get(0);
        List<Integer> columns = new ArrayList<>();
        for (String name : source.csvColumns()) {
            int index = header.indexOf(name);
            if (index < 0) {
                throw new IOException(source.file() + ": no column '" + name + "'; the header has " + header);
            }
            columns.add(index);
        }
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            for (int index : columns) {
                if (index >= row.size()) {
                    throw new IOException(source.file() + ": row " + (r + 1) + " has " + row.size()
                            + " fields, fewer than the header's " + header.size());
                }
                sink.accept(row.get(index));
                n++;
            }
        }
        return n;
    }

    private static String readUtf8(CorpusSource source) throws IOException {
        byte[] bytes = Files.readAllBytes(source.file());
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IOException(source.file() + " is not valid UTF-8: " + e.getMessage(), e);
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
