package dev.kotune.inference;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Configuration for the packaged jar ({@code target/quarkus-app/quarkus-run.jar}, prod profile) that
 * {@link InferenceServiceIT} starts: a models directory whose {@code tiny} links to the tiny model's real export
 * ({@link TestExports#tiny()}, made in the test JVM), a fresh {@code kotune.home}, a free gRPC port, and no
 * training-events consumer (no broker in this test). The models directory is {@link ModelsDirResource}'s when that
 * resource applies to this test too (it is declared unrestricted on the @QuarkusTest classes, so Quarkus applies it to
 * every test of the module and its {@code kotune.inference.models-dir} wins): {@link #order()} starts this resource
 * after it.
 */
public class PackagedJarResource implements QuarkusTestResourceLifecycleManager {

    private Path home;

    @Override
    public Map<String, String> start() {
        try (ServerSocket socket = new ServerSocket(0)) {
            home = Files.createTempDirectory("kotune-it-home-");
            String shared = System.getProperty(ModelsDirResource.PROPERTY);
            Path models = shared != null ? Path.of(shared) : home.resolve("models");
            TestExports.link(models.resolve("tiny"), export(), false);
            return Map.of(
                    "kotune.home", home.toString(),
                    "kotune.inference.models-dir", models.toString(),
                    "kotune.inference.follow-training-events", "false",
                    "kotune.inference.intra-op-threads", "1",
                    "quarkus.grpc.server.port", Integer.toString(socket.getLocalPort()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The export served as {@code tiny}. */
    protected Path export() {
        return TestExports.tiny();
    }

    @Override
    public int order() {
        return 1; // after ModelsDirResource (order 0)
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
