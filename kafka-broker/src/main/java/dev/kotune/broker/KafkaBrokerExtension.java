package dev.kotune.broker;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests the JVM's {@link SharedKafkaBroker}: started lazily before the first test class
 * that uses the extension, shared by all of them, and stopped once at the end of the whole test run (through the root
 * {@link ExtensionContext.Store}) unless a Quarkus application used it too (see {@link SharedKafkaBroker}).
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class OrderTopicTest {
 *     @Test
 *     void roundTrips(@KafkaBootstrapServers String bootstrapServers) { ... }
 * }
 * }</pre>
 *
 * <p>{@link #bootstrapServers()} gives the same value statically. Stateless; thread-safe.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    /** The shared broker's {@code bootstrap.servers}; starts it if needed. */
    public static String bootstrapServers() {
        return SharedKafkaBroker.bootstrapServers();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot()
                .getStore(NAMESPACE)
                .computeIfAbsent(StopAtEndOfRun.class, key -> new StopAtEndOfRun(), StopAtEndOfRun.class);
        SharedKafkaBroker.bootstrapServers();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.isAnnotated(KafkaBootstrapServers.class)
                && parameter.getParameter().getType() == String.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return SharedKafkaBroker.bootstrapServers();
    }

    /** Closed by JUnit when the root context ends, i.e. after the last test of the run. */
    private static final class StopAtEndOfRun implements AutoCloseable {
        @Override
        public void close() {
            SharedKafkaBroker.stopAtEndOfTestRun();
        }
    }
}
