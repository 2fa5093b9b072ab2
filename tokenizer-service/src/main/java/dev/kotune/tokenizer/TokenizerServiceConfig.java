package dev.kotune.tokenizer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings of the tokenizer service, under {@code kotune.tokenizer.*}. */
@ConfigMapping(prefix = "kotune.tokenizer")
public interface TokenizerServiceConfig {

    /**
     * The tokenizer used when a request names none: a path to a {@code tokenizer.json}, an HF-layout directory, or a
     * hub id resolved through the HF cache (e.g. {@code skt/kogpt2-base-v2}).
     */
    @WithDefault("skt/kogpt2-base-v2")
    String defaultTokenizer();

    /** Hub revision (branch, tag or commit) of the default tokenizer; ignored for paths. */
    @WithDefault("main")
    String defaultRevision();

    /** The largest text accepted, in bytes of UTF-8 (default 1 MiB). Larger texts get INVALID_ARGUMENT. */
    @WithDefault("1048576")
    int maxTextBytes();

    /** The most texts, sequences or examples in one request (default 1024). More get INVALID_ARGUMENT. */
    @WithDefault("1024")
    int maxBatch();

    /** Hub endpoint for hub ids; when unset, {@code HF_ENDPOINT}, else {@code https://huggingface.co}. */
    Optional<String> hubEndpoint();

    /** Hub cache root; when unset, {@code HF_HUB_CACHE}, else {@code $HF_HOME/hub} ({@code ~/.cache/huggingface/hub}). */
    Optional<Path> hubCache();

    /** Use only the hub cache, never the network; when unset, {@code HF_HUB_OFFLINE}. */
    Optional<Boolean> hubOffline();

    /** Connect and metadata timeout of hub requests. */
    @WithDefault("10s")
    Duration hubTimeout();

    /** Load the default tokenizer at startup instead of on the first request (readiness reports it either way). */
    @WithDefault("true")
    boolean preloadDefault();
}
