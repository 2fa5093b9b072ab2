package dev.kotune.inference;

import dev.kotune.engine.ExecutionProvider;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** Settings of the inference service ({@code kotune.inference.*}). Immutable, thread-safe. */
@ConfigMapping(prefix = "kotune.inference")
public interface InferenceConfig {

    /**
     * Directory of servable models: each subdirectory holding a {@code kotune.json} is one model whose id is the
     * subdirectory's name (an export: model.onnx, genai_config.json, tokenizer.json, kotune.json). Read on every
     * listing, so new exports show up without a restart. application.properties sets it to
     * {@code ${kotune.home}/models}, e.g. {@code /var/lib/kotune/models}.
     */
    @WithDefault("./.kotune/home/models")
    Path modelsDir();

    /** Id of the model used when a request names none; unset = the first model by id. */
    Optional<String> defaultModel();

    /** ONNX Runtime execution provider: CPU, CUDA (falls back to CPU with a warning when unavailable) or AUTO. */
    @WithDefault("CPU")
    ExecutionProvider executionProvider();

    /** Threads inside one ONNX Runtime op (matmul), per model; 0 = ONNX Runtime's default (one per physical core). */
    @WithDefault("0")
    int intraOpThreads();

    /**
     * Sequences decoded together in one batched step per model (continuous batching: a request joins at the next
     * step, a finished one leaves at once), e.g. 32.
     */
    @WithDefault("32")
    int maxBatchSize();

    /** Sum over running sequences of prompt + max new tokens per model (bounds the KV cache), e.g. 32768. */
    @WithDefault("32768")
    int maxTokensInFlight();

    /**
     * Requests per model that may wait for room in the batch; one more is refused with RESOURCE_EXHAUSTED / HTTP 429
     * and Retry-After. 0 = never wait.
     */
    @WithDefault("256")
    int maxWaiting();

    /**
     * Bytes of loaded models this server keeps at most, in Quarkus' memory-size syntax ({@code 2G}, {@code 512M},
     * bytes without a suffix); unset = unlimited. A model's bytes are estimated from its export when it loads: the
     * sizes of model.onnx and model.onnx.data (the weights ONNX Runtime holds) plus its scheduler's logits buffer
     * (max-batch-size x vocab x 4 bytes; the KV cache is not preallocated, max-tokens-in-flight bounds it). When a
     * load would go over, the least recently used model with no request in flight (and not pinned) is unloaded; a
     * request for an unloaded model loads it again and waits for that load.
     */
    Optional<io.quarkus.runtime.configuration.MemorySize> modelsMemoryBudget();

    /** Model ids never unloaded to make room under {@link #modelsMemoryBudget} (they still load on first use). */
    Optional<java.util.List<String>> pinnedModels();

    /**
     * How long a request for an unloaded model waits for room under the memory budget when every loaded model is busy
     * or pinned; then HTTP 503 with Retry-After ({@code model_memory_budget}) / gRPC UNAVAILABLE. E.g. 30s.
     */
    @WithDefault("30s")
    java.time.Duration modelLoadWait();

    /** Prompt tokens prefilled between two decode steps (a burst of new requests stalls running ones less), e.g. 256. */
    @WithDefault("256")
    int maxPrefillTokens();

    /**
     * Follow {@code kotune.topics.events} and serve every {@code CheckpointExported} export as model id = job id
     * (a new export of the same job replaces the old one; requests in flight finish on the old one).
     */
    @WithDefault("true")
    boolean followTrainingEvents();

    /**
     * Consumer group prefix; each replica joins its own group (prefix + random UUID) and reads the topic from the
     * beginning, so every replica sees every export and a restart rebuilds the catalogue.
     */
    @WithDefault("kotune-inference-")
    String eventsGroupPrefix();

    /**
     * File of API keys, one per line (blank lines and lines starting with {@code #} ignored), like vLLM's
     * {@code --api-key}: every REST route but {@code /q/*} (health, metrics) and every gRPC method but the health
     * service then needs {@code Authorization: Bearer <key>}. Unset, with {@link #apiKeys} unset too: open (logged at
     * start). Read once at start; the keys are never logged.
     */
    Optional<Path> apiKeysFile();

    /** API keys given directly, comma-separated (e.g. from a Secret through {@code KOTUNE_INFERENCE_API_KEYS}). */
    Optional<java.util.List<String>> apiKeys();

    /**
     * File of admin keys (same format): model load and swap ({@code /v1/admin/*}) need one of them. An admin key is
     * also accepted wherever an API key is. When API keys are set but no admin key, the admin routes are closed.
     */
    Optional<Path> adminKeysFile();

    /** Admin keys given directly, comma-separated (e.g. {@code KOTUNE_INFERENCE_ADMIN_KEYS} from a Secret). */
    Optional<java.util.List<String>> adminKeys();
}
