package dev.kotune.checkpoint;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/**
 * Writes a directory atomically: content goes to a hidden sibling {@code .NAME.tmp-UUID} that is renamed onto the
 * target when complete (an existing target is first moved aside and deleted after the swap). A failure deletes the
 * temporary directory, so readers never see a half-written checkpoint or export. Stateless, thread-safe.
 */
public final class AtomicDirectory {

    /** Fills a directory. */
    @FunctionalInterface
    public interface Content {
        void writeInto(Path dir) throws IOException;
    }

    private AtomicDirectory() {}

    /** Fills a temporary sibling with {@code content} and renames it onto {@code target}; returns the absolute target. */
    public static Path write(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().normalize();
        Path parent = dir.getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + dir.getFileName() + ".tmp-" + UUID.randomUUID());
        Files.createDirectory(tmp);
        try {
            content.writeInto(tmp);
            replace(tmp, dir);
            return dir;
        } catch (IOException | RuntimeException | Error e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private static void replace(Path tmp, Path target) throws IOException {
        if (!Files.exists(target)) {
            move(tmp, target);
            return;
        }
        Path old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
        move(target, old);
        try {
            move(tmp, target);
        } catch (IOException e) {
            move(old, target);
            throw e;
        }
        deleteTree(old);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Deletes a directory tree (no-op when absent). */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
