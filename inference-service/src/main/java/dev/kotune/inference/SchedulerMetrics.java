package dev.kotune.inference;

import dev.kotune.engine.BatchScheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * The serving metrics vLLM exports, in Prometheus naming and labelled by model:
 * {@code kotune_time_to_first_token_seconds}, {@code kotune_inter_token_latency_seconds} and
 * {@code kotune_e2e_request_latency_seconds} (histograms), {@code kotune_num_requests_running} and
 * {@code kotune_num_requests_waiting} (gauges), {@code kotune_batch_size} (rows per decode step, a histogram),
 * {@code kotune_prompt_tokens_total} and {@code kotune_generation_tokens_total} (counters); and the model memory
 * budget's: {@code kotune_model_loads_total}, {@code kotune_model_unloads_total}, {@code kotune_model_load_seconds}
 * (labelled by model), {@code kotune_models_memory_used_bytes}, {@code kotune_models_memory_budget_bytes},
 * {@code kotune_models_resident}. Thread-safe.
 */
@ApplicationScoped
public class SchedulerMetrics {

    private static final Duration[] LATENCY_BUCKETS = {
        ms(1), ms(5), ms(10), ms(20), ms(40), ms(60), ms(80), ms(100), ms(150), ms(250), ms(500), ms(750), ms(1000),
        ms(2500), ms(5000), ms(7500), ms(10000), ms(20000), ms(40000), ms(80000)
    };

    private final MeterRegistry registry;

    public SchedulerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The gauges of one model id (registered once: they read whichever version serves it now). */
    public void gauges(String model, IntSupplier running, IntSupplier waiting) {
        Gauge.builder("kotune.num_requests_running", running::getAsInt)
                .description("Sequences in the running batch")
                .tag("model", model)
                .strongReference(true)
                .register(registry);
        Gauge.builder("kotune.num_requests_waiting", waiting::getAsInt)
                .description("Requests waiting for admission")
                .tag("model", model)
                .strongReference(true)
                .register(registry);
    }

    /** The observer of one loaded model's scheduler. */
    public BatchScheduler.Observer observer(String model) {
        Timer ttft = timer("kotune.time_to_first_token", "Time to first token", model);
        Timer itl = timer("kotune.inter_token_latency", "Time between two tokens of one sequence", model);
        Timer e2e = timer("kotune.e2e_request_latency", "Request latency from arrival to its last token", model);
        DistributionSummary batch = DistributionSummary.builder("kotune.batch_size")
                .description("Sequences in one batched decode step")
                .tag("model", model)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 24, 32, 48, 64)
                .register(registry);
        Counter prompt = Counter.builder("kotune.prompt_tokens")
                .description("Prompt tokens prefilled")
                .tag("model", model)
                .register(registry);
        Counter generated = Counter.builder("kotune.generation_tokens")
                .description("Tokens generated")
                .tag("model", model)
                .register(registry);
        return new BatchScheduler.Observer() {
            @Override
            public void onDecodeStep(int rows, long nanos) {
                batch.record(rows);
                generated.increment(rows);
            }

            @Override
            public void onPrefill(int promptTokens, long nanos) {
                prompt.increment(promptTokens);
            }

            @Override
            public void onFirstToken(long nanos) {
                ttft.record(Duration.ofNanos(nanos));
                generated.increment();
            }

            @Override
            public void onInterToken(long nanos) {
                itl.record(Duration.ofNanos(nanos));
            }

            @Override
            public void onRequestFinished(int promptTokens, int generatedTokens, long nanos) {
                e2e.record(Duration.ofNanos(nanos));
            }
        };
    }

    /** A model version loaded in {@code nanos} (kotune_model_loads_total, kotune_model_load_seconds). */
    public void modelLoaded(String model, long nanos) {
        Counter.builder("kotune.model.loads")
                .description("Model versions loaded (first use, reload after an unload, swap)")
                .tag("model", model)
                .register(registry)
                .increment();
        timer("kotune.model.load", "Time to load a model version (ONNX Runtime session and tokenizer)", model)
                .record(Duration.ofNanos(nanos));
    }

    /** A model version's native resources were freed (kotune_model_unloads_total): unloaded, or swapped out. */
    public void modelUnloaded(String model) {
        Counter.builder("kotune.model.unloads")
                .description("Model versions unloaded (under the memory budget, or replaced by a swap)")
                .tag("model", model)
                .register(registry)
                .increment();
    }

    /**
     * The memory budget's gauges: kotune_models_memory_used_bytes, kotune_models_memory_budget_bytes (-1 when
     * unlimited) and kotune_models_resident (model versions in memory).
     */
    public void memoryGauges(java.util.function.LongSupplier used, long budget, IntSupplier resident) {
        Gauge.builder("kotune.models.memory.used", used::getAsLong)
                .description("Estimated bytes of loaded models, loads under way included")
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
        Gauge.builder("kotune.models.memory.budget", () -> budget)
                .description("kotune.inference.models-memory-budget; -1 = unlimited")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("kotune.models.resident", resident::getAsInt)
                .description("Model versions in memory (a swapped-out version still draining included)")
                .strongReference(true)
                .register(registry);
    }

    private Timer timer(String name, String description, String model) {
        return Timer.builder(name)
                .description(description)
                .tag("model", model)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
    }

    private static Duration ms(long v) {
        return Duration.ofMillis(v);
    }
}
