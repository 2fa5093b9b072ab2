package dev.kotune.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Temporary work directories of brokers ({@code $java.io.tmpdir/kotune-kafka-*}): configuration, log and, by default,
 * the data. Each records the pid of the JVM that owns it and of the broker's JVM, so that a later launcher can delete
 * the directories of runs that were killed before they could clean up.
 *
 * <p>Stateless; thread-safe.
 */
final class WorkDirs {

    static final String PREFIX = "kotune-kafka-";
    static final String OWNER_PID = "owner.pid";
    static final String BROKER_PID = "broker.pid";

    private WorkDirs() {}

    /** A new, empty work directory owned by this JVM. */
    static Path create() {
        try {
            Path dir = Files.createTempDirectory(PREFIX);
            writePid(dir.resolve(OWNER_PID), ProcessHandle.current().pid());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory for the Kafka broker", e);
        }
    }

    static void writePid(Path file, long pid) {
        try {
            Files.writeString(file, Long.toString(pid), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes work directories whose owner JVM and broker JVM are both gone. Best effort; never throws. */
    static void sweepStale() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path dir : dirs) {
                OptionalLong owner = readPid(dir.resolve(OWNER_PID));
                if (owner.isEmpty() || isAlive(owner) || isAlive(readPid(dir.resolve(BROKER_PID)))) {
                    continue; // not ours to judge, or still in use
                }
                deleteRecursively(dir);
            }
        } catch (IOException | RuntimeException e) {
            // Sweeping is a courtesy; a failure must not stop a broker from starting.
        }
    }

    private static boolean isAlive(OptionalLong pid) {
        return pid.isPresent()
                && ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false);
    }

    private static OptionalLong readPid(Path file) {
        try {
            return OptionalLong.of(Long.parseLong(
                    Files.readString(file, StandardCharsets.UTF_8).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Deletes {@code dir} and everything below it; a no-op when it does not exist. */
    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + dir, e);
        }
    }
}
