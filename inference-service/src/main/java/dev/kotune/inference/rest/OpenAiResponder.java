package dev.kotune.inference.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.inference.CompletionService;
import dev.kotune.inference.GenerationListener;
import dev.kotune.inference.RequestMetrics;
import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.CompletionChunk;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * What {@code /v1/completions} and {@code /v1/chat/completions} share once a request is prepared (validated, model
 * loaded, queued): a JSON answer, or server-sent events — one {@code data: {chunk}} per token, each choice's last
 * chunk with its finish_reason, then {@code data: [DONE]}; a failure after the status line is reported in-band as
 * OpenAI's error body. The endpoint supplies the JSON shapes ({@link Shape}). Thread-safe.
 */
@ApplicationScoped
public class OpenAiResponder {

    private static final Logger LOG = Logger.getLogger(OpenAiResponder.class);
    private static final String API = "rest";
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    /** An endpoint's JSON shapes. */
    interface Shape {
        /** The whole answer. */
        Object unary(Completion c);

        /** The event for new output of one choice. */
        Object chunk(CompletionChunk chunk);

        /** The events after the last token: each choice's finish_reason, usage. */
        List<Object> last(Completion c);

        /** Whether the stream ends with {@code data: [DONE]} (OpenAI's; TGI's streams end with their last event). */
        default boolean done() {
            return true;
        }
    }

    private final CompletionService completions;
    private final RequestMetrics metrics;
    private final ObjectMapper json;

    public OpenAiResponder(CompletionService completions, RequestMetrics metrics, ObjectMapper json) {
        this.completions = completions;
        this.metrics = metrics;
        this.json = json;
    }

    /** Counts a request that failed before it was prepared, and rethrows it for the error mappers. */
    RuntimeException failed(RuntimeException e) {
        metrics.failed(API, e);
        return e;
    }

    /** The response header naming the model version a request ran on (see ServedModel#version). */
    static final String VERSION_HEADER = "X-Kotune-Model-Version";

    Response respond(CompletionService.Prepared prepared, boolean stream, Disconnect disconnect, Shape shape) {
        String version = prepared.generation()
                .version()
                .map(dev.kotune.inference.domain.ServedModel::version)
                .orElse(null);
        if (stream) {
            StreamingOutput body = out -> stream(prepared, out, disconnect, shape);
            return Response.ok(body, MediaType.SERVER_SENT_EVENTS)
                    .header("Cache-Control", "no-cache")
                    .header(VERSION_HEADER, version)
                    .build();
        }
        Completion c;
        try {
            c = completions.generate(prepared, disconnect);
        } catch (RuntimeException e) {
            throw failed(e);
        }
        metrics.completed(API, c);
        return Response.ok(shape.unary(c), MediaType.APPLICATION_JSON)
                .header(VERSION_HEADER, version)
                .build();
    }

    private void stream(CompletionService.Prepared prepared, OutputStream out, Disconnect disconnect, Shape shape)
            throws IOException {
        try {
            Completion c = completions.generate(prepared, new GenerationListener() {
                @Override
                public void onChunk(CompletionChunk chunk) {
                    if (disconnect.isCancelled()) {
                        return;
                    }
                    try {
                        Object event = shape.chunk(chunk);
                        if (event != null) { // a shape may hold a chunk back (TGI's last event carries the last token)
                            event(out, event);
                        }
                    } catch (IOException e) {
                        disconnect.writeFailed(); // frees the row at the next step
                    }
                }

                @Override
                public boolean isCancelled() {
                    return disconnect.isCancelled();
                }
            });
            metrics.completed(API, c);
            if (disconnect.isCancelled()) {
                LOG.debugf(
                        "stream of %s: the client went away after %d tokens",
                        prepared.model().id(), c.generatedTokens());
                return;
            }
            for (Object last : shape.last(c)) {
                event(out, last);
            }
            if (shape.done()) {
                out.write(DONE);
            }
            out.flush();
        } catch (RuntimeException e) {
            // The status line is gone: report the failure in-band, as OpenAI does, and end the stream.
            metrics.failed(API, e);
            LOG.warnf("stream of %s failed: %s", prepared.model().id(), e.toString());
            event(out, RestErrorMappers.body(e));
            out.flush();
        } finally {
            prepared.close();
        }
    }

    private void event(OutputStream out, Object payload) throws IOException {
        out.write("data: ".getBytes(StandardCharsets.UTF_8));
        out.write(json.writeValueAsBytes(payload));
        out.write("\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
