package dev.kotune.inference;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fresh, empty models directory for the test run ({@code kotune.inference.models-dir}), deleted afterwards. Its path
 * is also kept in the system property {@value #PROPERTY}: this resource applies to every test of the module (also
 * the integration test, see {@link PackagedJarResource}), which cannot read the application's config.
 */
public class ModelsDirResource implements QuarkusTestResourceLifecycleManager {
    static final String PROPERTY = "kotune.test.models-dir";

    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("kotune-models-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty(PROPERTY, dir.toString());
        return Map.of("kotune.inference.models-dir", dir.toString());
    }

    @Override
    public void stop() {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
