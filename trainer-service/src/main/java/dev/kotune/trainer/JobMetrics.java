package dev.kotune.trainer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;

/**
 * The trainer's counters: {@code kotune_jobs_received_total{outcome}} counts every record read from the jobs topic
 * by what became of it. All outcomes are registered at start-up ({@code @Startup}), so they show as 0 before the
 * first record.
 * Thread-safe.
 */
@Startup
@ApplicationScoped
public class JobMetrics {

    /** What became of a record on the jobs topic. */
    public enum Outcome {
        /** A submission passed validation: TrainingJobValidated was published. */
        VALIDATED,
        /** A submission failed validation: TrainingJobRejected was published. */
        REJECTED,
        /** Not a usable command: copied to the dead-letter topic. */
        DLQ,
        /** A cancel request, acknowledged. */
        CANCEL,
        /** A record whose event_id was already handled (a redelivery): dropped. */
        DUPLICATE
    }

    private final Map<Outcome, Counter> received = new EnumMap<>(Outcome.class);

    public JobMetrics(MeterRegistry registry) {
        for (Outcome outcome : Outcome.values()) {
            received.put(
                    outcome,
                    Counter.builder("kotune.jobs.received")
                            .description("Records read from the jobs topic, by outcome")
                            .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                            .register(registry));
        }
    }

    /** Counts one record. */
    public void received(Outcome outcome) {
        received.get(outcome).increment();
    }
}
