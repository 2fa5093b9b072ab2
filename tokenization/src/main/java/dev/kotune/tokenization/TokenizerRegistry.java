package dev.kotune.tokenization;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;

/**
 * Loaded tokenizers, shared: each distinct source ({@link TokenizerSource#key()}: absolute path, or
 * {@code repo@revision}) is loaded once, by the first caller, while concurrent callers for the same source wait for
 * that load; a failed load is not remembered, so the next call tries again. A hub id stays loaded for the life of
 * the registry (a moving branch is not re-checked).
 *
 * <p>Thread-safe. {@link #close()} frees every tokenizer; call it once nothing uses them any more.
 */
public final class TokenizerRegistry implements AutoCloseable {
    private final TokenizerLoader loader;
    private final String defaultName;
    private final String defaultRevision;
    private final ConcurrentMap<String, CompletableFuture<KoTokenizer>> loaded = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param loader how to load
     * @param defaultName the tokenizer used when a request names none (path or hub id)
     * @param defaultRevision its hub revision (blank: {@code main})
     */
    public TokenizerRegistry(TokenizerLoader loader, String defaultName, String defaultRevision) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.defaultName = Objects.requireNonNull(defaultName, "defaultName");
        this.defaultRevision = defaultRevision == null ? "" : defaultRevision;
    }

    /** The default tokenizer's name as configured. */
    public String defaultName() {
        return defaultName;
    }

    /** The default tokenizer, loaded on first use. */
    public KoTokenizer getDefault() {
        return get("", "");
    }

    /**
     * The tokenizer {@code name} names (blank: the default).
     *
     * @param name a path to a tokenizer.json, an HF-layout directory, or a hub id
     * @param revision hub revision (blank: {@code main})
     */
    public KoTokenizer get(String name, String revision) {
        if (closed) {
            throw new IllegalStateException("tokenizer registry is closed");
        }
        boolean useDefault = name == null || name.isBlank();
        TokenizerSource source =
                TokenizerSource.parse(useDefault ? defaultName : name, useDefault ? defaultRevision : revision);
        CompletableFuture<KoTokenizer> mine = new CompletableFuture<>();
        CompletableFuture<KoTokenizer> existing = loaded.putIfAbsent(source.key(), mine);
        if (existing == null) {
            try {
                KoTokenizer tokenizer = loader.load(source);
                mine.complete(tokenizer);
                if (closed) { // closed while loading: do not leak the native tokenizer
                    loaded.remove(source.key(), mine);
                    tokenizer.close();
                    throw new IllegalStateException("tokenizer registry is closed");
                }
                return tokenizer;
            } catch (RuntimeException | Error e) {
                loaded.remove(source.key(), mine);
                mine.completeExceptionally(e);
                throw e;
            }
        }
        return await(existing);
    }

    /** The tokenizers loaded so far. */
    public List<KoTokenizer> loaded() {
        List<KoTokenizer> out = new ArrayList<>();
        for (CompletableFuture<KoTokenizer> f : loaded.values()) {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                out.add(f.join());
            }
        }
        return out;
    }

    /** Frees every loaded tokenizer. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (KoTokenizer t : loaded()) {
            t.close();
        }
        loaded.clear();
    }

    private static KoTokenizer await(CompletableFuture<KoTokenizer> future) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw rethrow(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException re) {
            return re;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new CompletionException(cause);
    }
}
