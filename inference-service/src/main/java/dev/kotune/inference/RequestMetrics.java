package dev.kotune.inference;

import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.ModelNotFoundException;
import dev.kotune.inference.domain.ModelUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Counts generation requests: {@code kotune_inference_requests_total{api="grpc|rest", outcome="ok|invalid|
 * not_found|unavailable|error"}}. Thread-safe.
 */
@Startup
@ApplicationScoped
public class RequestMetrics {

    private final MeterRegistry registry;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String api : new String[] {"grpc", "rest"}) {
            for (String outcome : new String[] {"ok", "invalid", "not_found", "unavailable", "error"}) {
                counter(api, outcome);
            }
        }
    }

    /** Counts one request that succeeded. */
    public void ok(String api) {
        counter(api, "ok").increment();
    }

    /** Counts one request that failed with {@code failure}. */
    public void failed(String api, Throwable failure) {
        String outcome = failure instanceof InvalidRequestException ? "invalid"
                : failure instanceof ModelNotFoundException ? "not_found"
                : failure instanceof ModelUnavailableException ? "unavailable" : "error";
        counter(api, outcome).increment();
    }

    private io.micrometer.core.instrument.Counter counter(String api, String outcome) {
        return io.micrometer.core.instrument.Counter.builder("kotune.inference.requests")
                .description("Generation requests by API and outcome")
                .tag("api", api).tag("outcome", outcome).register(registry);
    }
}
