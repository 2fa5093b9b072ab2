package dev.kotune.inference.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.inference.CompletionService;
import dev.kotune.inference.GenerationListener;
import dev.kotune.inference.RequestMetrics;
import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.CompletionChunk;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/completions}, OpenAI-compatible: a JSON completion, or with {@code "stream": true} server-sent
 * events ({@code data: {chunk}} per token, a last chunk with finish_reason and usage, then {@code data: [DONE]}).
 * Every check runs before the first byte, the wait for a generation slot included, so errors are proper statuses with
 * OpenAI's error body (see {@link RestErrorMappers}): 400 bad input (param names the field), 404 unknown model, 429
 * queue full, 503 no model loaded or a broken export. A client that disconnects stops its generation at the next
 * token. Thread-safe.
 */
@Path("/v1/completions")
public class CompletionsResource {

    private static final Logger LOG = Logger.getLogger(CompletionsResource.class);
    private static final String API = "rest";
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private final CompletionService completions;
    private final RequestMetrics metrics;
    private final ObjectMapper json;

    public CompletionsResource(CompletionService completions, RequestMetrics metrics, ObjectMapper json) {
        this.completions = completions;
        this.metrics = metrics;
        this.json = json;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    public Response complete(CompletionRequest request, @Context HttpServerRequest http) {
        Disconnect disconnect = new Disconnect(http);
        CompletionService.Prepared prepared;
        try {
            if (request == null) {
                throw new InvalidRequestException(List.of(new Problem("prompt",
                        "is required: the request body must be a JSON object with a prompt")));
            }
            prepared = completions.prepare(request.model(), RestMapping.prompt(request.prompt()),
                    RestMapping.parameters(request), RestMapping.NAMES, disconnect::isCancelled);
        } catch (RuntimeException e) {
            metrics.failed(API, e);
            throw e;
        }
        String id = "cmpl-" + UUID.randomUUID();
        long created = Instant.now().getEpochSecond();
        if (Boolean.TRUE.equals(request.stream())) {
            StreamingOutput body = out -> stream(prepared, id, created, out, disconnect);
            return Response.ok(body, MediaType.SERVER_SENT_EVENTS).header("Cache-Control", "no-cache").build();
        }
        Completion c;
        try {
            c = completions.generate(prepared, disconnect);
        } catch (RuntimeException e) {
            metrics.failed(API, e);
            throw e;
        }
        metrics.completed(API, c);
        return Response.ok(new OpenAiCompletion(id, "text_completion", created, c.model(),
                List.of(new OpenAiCompletion.Choice(c.text(), 0, OpenAiCompletion.Logprobs.of(c.logprobs()),
                        RestMapping.finishReason(c.finishReason()))),
                usage(c)), MediaType.APPLICATION_JSON).build();
    }

    /** The client is gone: its connection closed, or a write to it failed. */
    private static final class Disconnect implements GenerationListener {
        private final HttpServerRequest http;
        private volatile boolean writeFailed;

        Disconnect(HttpServerRequest http) {
            this.http = http;
        }

        @Override
        public void onChunk(CompletionChunk chunk) {
        }

        @Override
        public boolean isCancelled() {
            return writeFailed || (http != null && http.response().closed());
        }
    }

    private void stream(CompletionService.Prepared prepared, String id, long created, OutputStream out,
            Disconnect disconnect) throws IOException {
        String model = prepared.model().id();
        try {
            Completion c = completions.generate(prepared, new GenerationListener() {
                @Override
                public void onChunk(CompletionChunk chunk) {
                    if (disconnect.isCancelled()) {
                        return;
                    }
                    try {
                        event(out, new OpenAiCompletion(id, "text_completion", created, model,
                                List.of(new OpenAiCompletion.Choice(chunk.textDelta(), 0,
                                        OpenAiCompletion.Logprobs.of(chunk.logprobs()), null)), null));
                    } catch (IOException e) {
                        disconnect.writeFailed = true; // stops the generation at the next token
                    }
                }

                @Override
                public boolean isCancelled() {
                    return disconnect.isCancelled();
                }
            });
            metrics.completed(API, c);
            if (disconnect.isCancelled()) {
                LOG.debugf("stream %s: the client went away after %d tokens", id, c.tokenIds().size());
                return;
            }
            event(out, new OpenAiCompletion(id, "text_completion", created, model,
                    List.of(new OpenAiCompletion.Choice("", 0, null, RestMapping.finishReason(c.finishReason()))),
                    usage(c)));
            out.write(DONE);
            out.flush();
        } catch (RuntimeException e) {
            // The status line is gone: report the failure in-band, as OpenAI does, and end the stream.
            metrics.failed(API, e);
            LOG.warnf("stream %s failed: %s", id, e.toString());
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

    private static OpenAiCompletion.Usage usage(Completion c) {
        return new OpenAiCompletion.Usage(c.usage().promptTokens(), c.usage().completionTokens(),
                c.usage().promptTokens() + c.usage().completionTokens());
    }
}
