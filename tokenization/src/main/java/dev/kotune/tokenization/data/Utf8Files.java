package dev.kotune.tokenization.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens text files the one way the data readers accept them: strict UTF-8 (a malformed byte is an error, never a
 * replacement character) with a leading byte order mark skipped. Stateless, thread-safe.
 */
public final class Utf8Files {

    private static final int BOM = '\uFEFF';

    private Utf8Files() {}

    /** A reader of {@code file}'s characters after the byte order mark, if any. */
    public static BufferedReader open(Path file) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(
                Files.newInputStream(file),
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)));
        try {
            reader.mark(1);
            if (reader.read() != BOM) {
                reader.reset();
            }
        } catch (IOException e) {
            reader.close();
            throw notUtf8(file, "at its start", e);
        }
        return reader;
    }

    /** The message for a decoding failure {@code where} (e.g. "after line 3"), without the offending bytes. */
    public static IOException notUtf8(Path file, String where, IOException cause) {
        if (cause instanceof CharacterCodingException) {
            return new IOException(file + ": not valid UTF-8 " + where, cause);
        }
        return cause;
    }
}
