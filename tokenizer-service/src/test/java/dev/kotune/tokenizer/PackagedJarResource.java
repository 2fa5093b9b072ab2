package dev.kotune.tokenizer;

import dev.kotune.testing.RepoFiles;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Configuration for the packaged jar ({@code target/quarkus-app/quarkus-run.jar}, prod profile) that
 * {@link TokenizerServiceIT} starts: a free gRPC port (kept in the system property {@value #GRPC_PORT} for the
 * client) and KoGPT2's tokenizer.json from the shared data as the default tokenizer (the built-in tokenizer when the
 * shared data is missing, so the jar still starts and the test skips loudly).
 */
public class PackagedJarResource implements QuarkusTestResourceLifecycleManager {
    static final String GRPC_PORT = "kotune.it.tokenizer.grpc-port";

    @Override
    public Map<String, String> start() {
        int port = freePort();
        System.setProperty(GRPC_PORT, Integer.toString(port));
        String sharedDir = System.getProperty("kotune.shared.dir", System.getenv("KOTUNE_SHARED_DIR"));
        Path kogpt2 = sharedDir == null ? null : Path.of(sharedDir, "data", "kogpt2", "tokenizer.json");
        Path tokenizer = kogpt2 != null && Files.isRegularFile(kogpt2)
                ? kogpt2
                : RepoFiles.require("models/kotune-ko-bpe-8k/tokenizer.json");
        return Map.of(
                "quarkus.grpc.server.port", Integer.toString(port),
                "kotune.tokenizer.default-tokenizer", tokenizer.toAbsolutePath().toString());
    }

    @Override
    public void stop() {
        System.clearProperty(GRPC_PORT);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
