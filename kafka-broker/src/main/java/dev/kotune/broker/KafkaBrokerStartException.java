package dev.kotune.broker;

import java.util.List;

/**
 * The broker did not become ready: its JVM exited, or it did not answer in time. The message ends with the last lines
 * of the broker's log, which usually say why.
 *
 * <p>Immutable; thread-safe.
 */
public final class KafkaBrokerStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> logTail;

    KafkaBrokerStartException(String reason, List<String> logTail, Throwable cause) {
        super(
                reason + "\n--- last " + logTail.size() + " lines of the broker log ---\n" + String.join("\n", logTail),
                cause);
        this.logTail = List.copyOf(logTail);
    }

    /** The last lines of the broker's log at the time of the failure. */
    public List<String> logTail() {
        return logTail;
    }

    boolean addressInUse() {
        return logTail.stream().anyMatch(line -> line.contains("Address already in use"));
    }
}
