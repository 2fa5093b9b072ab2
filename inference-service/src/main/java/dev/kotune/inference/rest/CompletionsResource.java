package dev.kotune.inference.rest;

import dev.kotune.inference.CompletionService;
import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.CompletionChunk;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.TokenLogprob;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /v1/completions}, OpenAI-compatible: a JSON completion, or with {@code "stream": true} server-sent
 * events ({@code data: {chunk}} per token, a last chunk per choice with finish_reason, usage on the very last, then
 * {@code data: [DONE]}). Every check runs before the first byte, the queue included, so errors are proper statuses
 * with OpenAI's error body (see {@link RestErrorMappers}): 400 bad input (param names the field), 404 unknown model,
 * 429 queue full (with Retry-After), 503 no model loaded or a broken export. A client that disconnects frees its row
 * in the batch at the next step. Thread-safe.
 */
@Path("/v1/completions")
public class CompletionsResource {

    private final CompletionService completions;
    private final OpenAiResponder responder;

    public CompletionsResource(CompletionService completions, OpenAiResponder responder) {
        this.completions = completions;
        this.responder = responder;
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
                throw new InvalidRequestException(List.of(
                        new Problem("prompt", "is required: the request body must be a JSON object with a prompt")));
            }
            prepared = completions.prepare(
                    request.model(),
                    RestMapping.prompt(request.prompt()),
                    RestMapping.parameters(request),
                    RestMapping.NAMES,
                    disconnect::isCancelled);
        } catch (RuntimeException e) {
            throw responder.failed(e);
        }
        Echo echo = Echo.NONE;
        if (Boolean.TRUE.equals(request.echo())) {
            try {
                echo = new Echo(
                        echoText(request, prepared), prepared.generation().promptLogprobs());
            } catch (RuntimeException e) {
                prepared.close();
                throw responder.failed(e);
            }
        }
        return responder.respond(
                prepared,
                Boolean.TRUE.equals(request.stream()),
                disconnect,
                new Shape(
                        "cmpl-" + UUID.randomUUID(),
                        Instant.now().getEpochSecond(),
                        prepared.model().id(),
                        echo));
    }

    /** The prompt as text: as given, or its ids decoded with the model's tokenizer (as vLLM echoes ids). */
    private String echoText(CompletionRequest request, CompletionService.Prepared prepared) {
        Prompt prompt = RestMapping.prompt(request.prompt());
        if (!prompt.isIds()) {
            return prompt.text();
        }
        return completions.detokenize(
                prepared.model().id(),
                prompt.ids().stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * What echo puts before each choice: the prompt's text and, when logprobs were asked for, its tokens' logprobs.
     *
     * @param text     "" without echo
     * @param logprobs every prompt token's (the first unscored); empty without logprobs
     */
    private record Echo(String text, List<TokenLogprob> logprobs) {
        static final Echo NONE = new Echo("", List.of());
    }

    /** OpenAI's text_completion objects; with echo, a choice's first chunk starts with the prompt. One request. */
    private static final class Shape implements OpenAiResponder.Shape {
        private final String id;
        private final long created;
        private final String model;
        private final Echo echo;
        private final Set<Integer> started = new HashSet<>();

        Shape(String id, long created, String model, Echo echo) {
            this.id = id;
            this.created = created;
            this.model = model;
            this.echo = echo;
        }

        @Override
        public Object unary(Completion c) {
            return new OpenAiCompletion(
                    id,
                    "text_completion",
                    created,
                    model,
                    c.choices().stream()
                            .map(choice -> new OpenAiCompletion.Choice(
                                    echo.text() + choice.text(),
                                    choice.index(),
                                    OpenAiCompletion.Logprobs.of(echo.logprobs(), choice.logprobs()),
                                    RestMapping.finishReason(choice.finishReason())))
                            .toList(),
                    usage(c));
        }

        @Override
        public Object chunk(CompletionChunk chunk) {
            boolean first = started.add(chunk.index());
            return new OpenAiCompletion(
                    id,
                    "text_completion",
                    created,
                    model,
                    List.of(new OpenAiCompletion.Choice(
                            (first ? echo.text() : "") + chunk.textDelta(),
                            chunk.index(),
                            OpenAiCompletion.Logprobs.of(first ? echo.logprobs() : List.of(), chunk.logprobs()),
                            null)),
                    null);
        }

        @Override
        public List<Object> last(Completion c) {
            List<Object> out = new ArrayList<>();
            for (Completion.Choice choice : c.choices()) { // the echo of a choice that streamed nothing (max_tokens 0)
                if (!echo.text().isEmpty() && !started.contains(choice.index())) {
                    out.add(chunk(new CompletionChunk(choice.index(), "", List.of(), List.of())));
                }
            }
            for (Completion.Choice choice : c.choices()) { // usage on the very last
                boolean last = choice.index() == c.choices().size() - 1;
                out.add(new OpenAiCompletion(
                        id,
                        "text_completion",
                        created,
                        model,
                        List.of(new OpenAiCompletion.Choice(
                                "", choice.index(), null, RestMapping.finishReason(choice.finishReason()))),
                        last ? usage(c) : null));
            }
            return out;
        }

        private static OpenAiCompletion.Usage usage(Completion c) {
            return OpenAiCompletion.Usage.of(c);
        }
    }
}
