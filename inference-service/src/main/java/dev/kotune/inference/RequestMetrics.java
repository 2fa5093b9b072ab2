package dev.kotune.inference;

import dev.kotune.engine.QueueFullException;
import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.ModelInvalidException;
import dev.kotune.inference.domain.ModelNotFoundException;
import dev.kotune.inference.domain.ModelUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Counts generation requests: {@code kotune_inference_requests_total{api="grpc|rest", outcome="ok|cancelled|
 * invalid|not_found|unavailable|model_invalid|overloaded|error"}}, and generated tokens:
 * {@code kotune_inference_generated_tokens_total{api}}. Thread-safe.
 */
@Startup
@ApplicationScoped
public class RequestMetrics {

    private static final String[] OUTCOMES = {
        "ok", "cancelled", "invalid", "not_found", "unavailable", "model_invalid", "overloaded", "error"
    };

    private final MeterRegistry registry;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String api : new String[] {"grpc", "rest"}) {
            for (String outcome : OUTCOMES) {
                counter(api, outcome);
            }
            tokens(api);
        }
    }

    /** Counts one generation that ran to its end: ok, or cancelled by the client; and its tokens. */
    public void completed(String api, Completion completion) {
        counter(api, completion.cancelled() ? "cancelled" : "ok").increment();
        tokens(api).increment(completion.generatedTokens());
    }

    /** Counts one request that failed with {@code failure}. */
    public void failed(String api, Throwable failure) {
        String outcome = failure instanceof InvalidRequestException
                ? "invalid"
                : failure instanceof ModelNotFoundException
                        ? "not_found"
                        : failure instanceof ModelUnavailableException
                                ? "unavailable"
                                : failure instanceof ModelInvalidException
                                        ? "model_invalid"
                                        : failure instanceof QueueFullException ? "overloaded" : "error";
        counter(api, outcome).increment();
    }

    private io.micrometer.core.instrument.Counter tokens(String api) {
        return io.micrometer.core.instrument.Counter.builder("kotune.inference.generated.tokens")
                .description("Tokens generated, EOS included")
                .tag("api", api)
                .register(registry);
    }

    private io.micrometer.core.instrument.Counter counter(String api, String outcome) {
        return io.micrometer.core.instrument.Counter.builder("kotune.inference.requests")
                .description("Generation requests by API and outcome")
                .tag("api", api)
                .tag("outcome", outcome)
                .register(registry);
    }
}
