package dev.kotune.inference.rest;

import dev.kotune.inference.GenerationListener;
import dev.kotune.inference.domain.CompletionChunk;
import io.vertx.core.http.HttpServerRequest;

/**
 * The HTTP client is gone: its connection closed, or a write to it failed. Polled by the scheduler before every
 * step, so a disconnected stream frees its row at the next step. Thread-safe.
 */
final class Disconnect implements GenerationListener {

    private final HttpServerRequest http;
    private volatile boolean writeFailed;

    Disconnect(HttpServerRequest http) {
        this.http = http;
    }

    /** A write to the client failed: stop generating for it. */
    void writeFailed() {
        writeFailed = true;
    }

    @Override
    public void onChunk(CompletionChunk chunk) {}

    @Override
    public boolean isCancelled() {
        return writeFailed || (http != null && http.response().closed());
    }
}
