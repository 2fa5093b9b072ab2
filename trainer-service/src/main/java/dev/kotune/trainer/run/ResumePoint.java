package dev.kotune.trainer.run;

import dev.kotune.gpt2.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checkpoint a restarted job continues from: the {@code checkpoint-{step}} directory with the highest step that
 * holds a full training state ({@code trainer_state.json} and {@code optimizer.safetensors}). Stateless.
 */
final class ResumePoint {

    private ResumePoint() {}

    static Optional<Path> latest(Path jobDir) {
        if (!Files.isDirectory(jobDir)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jobDir)) {
            return dirs.filter(d -> stepOf(d) >= 0)
                    .filter(d -> Files.isRegularFile(d.resolve(Trainer.STATE_FILE))
                            && Files.isRegularFile(d.resolve(Trainer.OPTIMIZER_FILE)))
                    .max(Comparator.comparingLong(ResumePoint::stepOf));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The step of a {@code checkpoint-{step}} directory, -1 for anything else. */
    static long stepOf(Path dir) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(CheckpointSaver.PREFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(CheckpointSaver.PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
