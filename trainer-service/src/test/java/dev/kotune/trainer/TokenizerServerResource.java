package dev.kotune.trainer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Reserves a loopback port for tokenizer-service and points the trainer's gRPC client at it; the test classes start
 * the real service there ({@link TokenizerServer#shared(int)}) and may stop it to see jobs wait.
 */
public class TokenizerServerResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            String port = Integer.toString(TokenizerServer.freePort());
            // In test mode the Quarkus gRPC client reads test-port, not port.
            return Map.of(
                    TokenizerServer.PORT_KEY,
                    port,
                    "quarkus.grpc.clients.tokenizer.test-port",
                    port,
                    "quarkus.grpc.clients.tokenizer.host",
                    "127.0.0.1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {}
}
