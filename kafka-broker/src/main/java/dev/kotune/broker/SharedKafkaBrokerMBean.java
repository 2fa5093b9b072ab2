package dev.kotune.broker;

/**
 * JMX view of the one shared broker of a JVM, registered as {@value SharedKafkaBroker#OBJECT_NAME}. JMX is the JVM-wide
 * registry that every class loader sees, so JUnit tests and Quarkus tests (which load this jar again in their own class
 * loaders, once per application start) all reach the same broker. Public only because JMX requires it; use
 * {@link SharedKafkaBroker}.
 */
public interface SharedKafkaBrokerMBean {

    /** Starts the broker on first use and returns {@code host:port}. */
    String getBootstrapServers();

    /** Whether the shared broker is running. */
    boolean isRunning();

    /** Stops the shared broker; the next {@link #getBootstrapServers()} starts a new one. */
    void stop();

    /** From now on, {@link #stopAtEndOfTestRun()} leaves the broker to the JVM shutdown hook. */
    void retainUntilJvmExit();

    /** Stops the broker unless {@link #retainUntilJvmExit()} was called. */
    void stopAtEndOfTestRun();
}
