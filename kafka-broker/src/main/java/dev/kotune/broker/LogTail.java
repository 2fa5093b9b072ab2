package dev.kotune.broker;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the last lines of a (possibly large, possibly still growing) log file.
 *
 * <p>Stateless; thread-safe.
 */
final class LogTail {

    private static final int MAX_BYTES = 256 * 1024;

    private LogTail() {}

    /** The last {@code lines} lines of {@code file}; an explanatory line when it cannot be read. */
    static List<String> read(Path file, int lines) {
        if (file == null || !Files.isRegularFile(file)) {
            return List.of("(no log file " + file + ")");
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            int size = (int) Math.min(length, MAX_BYTES);
            byte[] bytes = new byte[size];
            raf.seek(length - size);
            raf.readFully(bytes);
            String[] all = new String(bytes, StandardCharsets.UTF_8).split("\r?\n");
            int from = Math.max(0, all.length - lines);
            if (size < length && from == 0) {
                from = 1; // the first line is probably cut
            }
            return List.copyOf(Arrays.asList(all).subList(from, all.length));
        } catch (IOException e) {
            return List.of("(cannot read " + file + ": " + e + ")");
        }
    }

    /**
     * A one-line summary of what went wrong, from the last 256 KiB of a log4j log: its first ERROR line and the last
     * {@code Caused by:} line (the root cause), when there are any; empty otherwise.
     */
    static String diagnosis(Path file) {
        List<String> lines = read(file, Integer.MAX_VALUE);
        String firstError = null;
        String rootCause = null;
        for (String line : lines) {
            if (firstError == null && (line.contains("] ERROR ") || line.contains("] FATAL "))) {
                firstError = line.trim();
            }
            if (line.startsWith("Caused by: ")) {
                rootCause = line.trim();
            }
        }
        StringBuilder summary = new StringBuilder();
        if (firstError != null) {
            summary.append(firstError);
        }
        if (rootCause != null) {
            summary.append(summary.length() > 0 ? " / " : "").append(rootCause);
        }
        return summary.toString();
    }
}
