package dev.kotune.broker;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource that points the application at the JVM's {@link SharedKafkaBroker}:
 * {@code @QuarkusTestResource(KafkaBrokerTestResource.class)} (or {@code @WithTestResource}). It sets
 * {@value #BOOTSTRAP_SERVERS} and {@value #SMALLRYE_BOOTSTRAP_SERVERS}.
 *
 * <p>{@link #stop()} leaves the broker running: other test classes and application restarts (test profiles) in the
 * same JVM reuse it, and it stops when the JVM exits, after Quarkus has shut its applications down. Thread-safe.
 */
public final class KafkaBrokerTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    public static final String SMALLRYE_BOOTSTRAP_SERVERS = "mp.messaging.connector.smallrye-kafka.bootstrap.servers";

    @Override
    public Map<String, String> start() {
        String bootstrapServers = SharedKafkaBroker.bootstrapServers();
        SharedKafkaBroker.retainUntilJvmExit(); // the application may outlive the JUnit run's end-of-run hooks
        return Map.of(BOOTSTRAP_SERVERS, bootstrapServers, SMALLRYE_BOOTSTRAP_SERVERS, bootstrapServers);
    }

    @Override
    public void stop() {
        // The shared broker outlives each Quarkus application; see the class comment.
    }
}
