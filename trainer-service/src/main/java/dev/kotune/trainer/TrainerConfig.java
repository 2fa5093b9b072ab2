package dev.kotune.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings of the trainer service ({@code kotune.trainer.*}). Immutable, thread-safe. */
@ConfigMapping(prefix = "kotune.trainer")
public interface TrainerConfig {

    /** Kafka consumer group of the jobs topic; every trainer replica joins it. */
    @WithDefault("kotune-trainers")
    String groupId();

    /** The envelope's {@code producer} on every event this service publishes. */
    @WithDefault("trainer-service")
    String producer();

    /** How long to wait for the broker to acknowledge one published event before giving up on the record. */
    @WithDefault("30s")
    Duration sendTimeout();

    /** How many recent event ids are remembered to drop redelivered records (plus every accepted job's). */
    @WithDefault("10000")
    int dedupCapacity();

    /**
     * Directory of the built-in models: a base model or tokenizer named {@code kotune/<name>} is
     * {@code <dir>/kotune-<name>} (e.g. {@code kotune/tiny-ko} → {@code models/kotune-tiny-ko}). A relative path is
     * resolved against the working directory; pass an absolute one when the service does not start in the
     * repository root.
     */
    @WithDefault("models")
    String builtinModelsDir();

    /**
     * The directories a job's local paths (dataset file, base model directory, tokenizer) must lie under, after
     * {@code ..} and symbolic links are resolved; a path outside is refused by name before it is opened. The
     * built-in models directory is always allowed too. Hub ids are not paths. Default: {@code kotune.home}.
     */
    @WithDefault("${kotune.home}")
    List<String> dataRoots();

    /**
     * Hub ids are read only from the HF cache when true; unset: {@code HF_HUB_OFFLINE} decides (huggingface_hub's
     * rule). The cache and endpoint follow {@code HF_HUB_CACHE}/{@code HF_HOME} and {@code HF_ENDPOINT}.
     */
    Optional<Boolean> hubOffline();

    /** The HF hub cache directory; unset: {@code HF_HUB_CACHE}, else {@code $HF_HOME/hub} (huggingface_hub's rule). */
    Optional<String> hubCache();

    /** libtorch intra-op threads for training; 0 keeps libtorch's default (one per core). */
    @WithDefault("0")
    int intraOpThreads();
    /** How the trainer turns examples into token ids, masks and labels. */
    enum Tokenization {
        /** tokenizer-service's {@code PrepareExamples} over gRPC (client {@code quarkus.grpc.clients.tokenizer.*}). */
        GRPC,
        /** tokenization's {@code ExamplePreparer} in this JVM (single-process use). */
        IN_PROCESS
    }

    /** {@code grpc} (default): tokenizer-service prepares the examples; {@code in-process}: this JVM does. */
    @WithDefault("grpc")
    Tokenization tokenizer();

    /** How the gRPC path calls tokenizer-service ({@code kotune.trainer.tokenizer-service.*}). */
    TokenizerService tokenizerService();

    /** Calls to tokenizer-service: deadline per call, backoff while it is unavailable. */
    interface TokenizerService {
        /** Deadline of one call (GetTokenizerInfo, one PrepareExamples chunk). */
        @WithDefault("60s")
        Duration deadline();

        /** Longest a job waits for an unavailable tokenizer-service before it fails (retryable). */
        @WithDefault("PT10M")
        Duration maxWait();

        /** First wait after UNAVAILABLE / DEADLINE_EXCEEDED; doubled after each try. */
        @WithDefault("1s")
        Duration initialBackoff();

        /** Longest wait between two tries. */
        @WithDefault("30s")
        Duration maxBackoff();
    }

    /**
     * Events waiting for the broker at most ({@code kotune.trainer.event-buffer-size}): the bounded, ordered buffer of
     * {@code TrainingEventPublisher}. When full, a lifecycle event waits for room (never dropped) and a progress event
     * evicts the oldest waiting progress event (see {@code EventBuffer}).
     */
    @WithDefault("1024")
    int eventBufferSize();

    /** Automatic retries of retryable failures ({@code kotune.trainer.retry.*}). */
    Retry retry();

    /** A job that fails with a retryable error runs again from its last checkpoint, after a backoff. */
    interface Retry {
        /** Attempts per job in one trainer process (the first run included); 1 turns retries off. */
        @WithDefault("3")
        int maxAttempts();

        /** Wait before the second attempt; doubled for each further one. */
        @WithDefault("5s")
        Duration initialBackoff();

        /** Longest wait between two attempts. */
        @WithDefault("2m")
        Duration maxBackoff();
    }

    /** The readiness check's broker probe ({@code kotune.trainer.broker-probe.*}; see {@code BrokerReadiness}). */
    BrokerProbe brokerProbe();

    /** How readiness learns whether the broker is reachable: a probe in the background, its answer cached. */
    interface BrokerProbe {
        /** Time between two probes. */
        @WithDefault("1s")
        Duration interval();

        /** Longest one probe (an admin client's describeCluster) may take. */
        @WithDefault("2s")
        Duration timeout();
    }
}
