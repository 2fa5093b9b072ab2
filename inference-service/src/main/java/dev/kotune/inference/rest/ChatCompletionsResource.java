package dev.kotune.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.inference.ChatTemplates;
import dev.kotune.inference.CompletionService;
import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.CompletionChunk;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.ServedModel;
import dev.kotune.inference.models.ModelCatalog;
import dev.kotune.tokenization.chat.ChatMessage;
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
import java.util.function.UnaryOperator;

/**
 * {@code POST /v1/chat/completions}, OpenAI-compatible (unary and SSE chunks, usage, finish_reason). The messages are
 * rendered with the model's chat template ({@link ChatTemplates}) into a prompt that then runs exactly like a
 * {@code /v1/completions} prompt: a kotune export's template is its training text's, so a one-message chat gets the
 * answer the completion of {@code 질문: {message}\n답변:} gets. Errors as in {@link CompletionsResource}; a model
 * without a template is a 400 on {@code messages}. Thread-safe.
 */
@Path("/v1/chat/completions")
public class ChatCompletionsResource {

    /** Canonical field names as the chat body spells them. */
    static final UnaryOperator<String> NAMES = name -> switch (name) {
        case "prompt" -> "messages";
        case "logprobs" -> "top_logprobs";
        default -> RestMapping.NAMES.apply(name);
    };

    /** {@link #NAMES} for a body that sets max_completion_tokens: problems name the field it sent. */
    static final UnaryOperator<String> MAX_COMPLETION_NAMES =
            name -> name.equals("max_new_tokens") ? "max_completion_tokens" : NAMES.apply(name);

    private final CompletionService completions;
    private final ModelCatalog catalog;
    private final ChatTemplates templates;
    private final OpenAiResponder responder;

    public ChatCompletionsResource(
            CompletionService completions, ModelCatalog catalog, ChatTemplates templates, OpenAiResponder responder) {
        this.completions = completions;
        this.catalog = catalog;
        this.templates = templates;
        this.responder = responder;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    public Response complete(ChatCompletionRequest request, @Context HttpServerRequest http) {
        Disconnect disconnect = new Disconnect(http);
        CompletionService.Prepared prepared;
        try {
            List<ChatMessage> messages = messages(request);
            ServedModel model = catalog.resolve(request.model());
            String prompt = templates.render(model, messages);
            Integer maxTokens =
                    request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
            Integer logprobs = Boolean.TRUE.equals(request.logprobs())
                    ? (request.topLogprobs() != null ? request.topLogprobs() : 0)
                    : null;
            prepared = completions.prepare(
                    model.id(),
                    Prompt.ofText(prompt),
                    RestMapping.parameters(request, maxTokens, logprobs),
                    request.maxCompletionTokens() != null ? MAX_COMPLETION_NAMES : NAMES,
                    disconnect::isCancelled);
        } catch (RuntimeException e) {
            throw responder.failed(e);
        }
        boolean usageChunk = request.streamOptions() != null
                && Boolean.TRUE.equals(request.streamOptions().includeUsage());
        return responder.respond(
                prepared,
                Boolean.TRUE.equals(request.stream()),
                disconnect,
                new Shape(
                        "chatcmpl-" + UUID.randomUUID(),
                        Instant.now().getEpochSecond(),
                        prepared.model().id(),
                        usageChunk));
    }

    /** The messages as the template wants them; every malformed one is named. */
    private static List<ChatMessage> messages(ChatCompletionRequest request) {
        return messages(request == null ? null : request.messages());
    }

    /** OpenAI's messages as the template wants them (also vLLM's /tokenize); every malformed one is named. */
    static List<ChatMessage> messages(List<ChatCompletionRequest.Message> messages) {
        if (messages == null || messages.isEmpty()) {
            throw new InvalidRequestException(List.of(new Problem(
                    "messages", "is required: a non-empty array of" + " {\"role\", \"content\"} messages")));
        }
        List<Problem> problems = new ArrayList<>();
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatCompletionRequest.Message m = messages.get(i);
            String at = "messages[" + i + "]";
            if (m == null || m.role() == null || m.role().isBlank()) {
                problems.add(new Problem(at + ".role", "is required, e.g. \"user\""));
                continue;
            }
            String content = text(m.content());
            if (content == null) {
                problems.add(new Problem(
                        at + ".content", "must be a string or an array of {\"type\": \"text\"," + " \"text\"} parts"));
                continue;
            }
            out.add(new ChatMessage(m.role(), content));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return out;
    }

    /** A string, or the concatenated text parts of OpenAI's content array; null when it is neither. */
    private static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            return null;
        }
        StringBuilder s = new StringBuilder();
        for (JsonNode part : content) {
            if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                return null;
            }
            s.append(part.get("text").asText());
        }
        return s.toString();
    }

    /** OpenAI's chat.completion objects; the role goes on each choice's first chunk. Used by one request thread. */
    private static final class Shape implements OpenAiResponder.Shape {
        private final String id;
        private final long created;
        private final String model;
        private final boolean usageChunk;
        private final Set<Integer> started = new HashSet<>();

        Shape(String id, long created, String model, boolean usageChunk) {
            this.id = id;
            this.created = created;
            this.model = model;
            this.usageChunk = usageChunk;
        }

        @Override
        public Object unary(Completion c) {
            return new OpenAiChat.Completion(
                    id,
                    "chat.completion",
                    created,
                    model,
                    c.choices().stream()
                            .map(choice -> new OpenAiChat.Choice(
                                    choice.index(),
                                    new OpenAiChat.Message("assistant", choice.text()),
                                    OpenAiChat.Logprobs.of(choice.logprobs()),
                                    RestMapping.finishReason(choice.finishReason())))
                            .toList(),
                    OpenAiCompletion.Usage.of(c));
        }

        @Override
        public Object chunk(CompletionChunk chunk) {
            String role = started.add(chunk.index()) ? "assistant" : null;
            return new OpenAiChat.Chunk(
                    id,
                    "chat.completion.chunk",
                    created,
                    model,
                    List.of(new OpenAiChat.ChunkChoice(
                            chunk.index(),
                            new OpenAiChat.Delta(role, chunk.textDelta()),
                            OpenAiChat.Logprobs.of(chunk.logprobs()),
                            null)),
                    null);
        }

        @Override
        public List<Object> last(Completion c) {
            List<Object> out = new ArrayList<>();
            for (Completion.Choice choice : c.choices()) {
                String role = started.add(choice.index()) ? "assistant" : null;
                out.add(new OpenAiChat.Chunk(
                        id,
                        "chat.completion.chunk",
                        created,
                        model,
                        List.of(new OpenAiChat.ChunkChoice(
                                choice.index(),
                                new OpenAiChat.Delta(role, null),
                                null,
                                RestMapping.finishReason(choice.finishReason()))),
                        null));
            }
            if (usageChunk) {
                out.add(new OpenAiChat.Chunk(
                        id, "chat.completion.chunk", created, model, List.of(), OpenAiCompletion.Usage.of(c)));
            }
            return out;
        }
    }
}
