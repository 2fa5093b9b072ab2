package dev.kotune.trainer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** A fresh {@code kotune.home} for the test run, deleted afterwards. */
public class TrainerHomeResource implements QuarkusTestResourceLifecycleManager {

    private Path home;

    @Override
    public Map<String, String> start() {
        try {
            home = Files.createTempDirectory("kotune-home-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("kotune.home", home.toString());
    }

    @Override
    public void stop() {
        if (home == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
