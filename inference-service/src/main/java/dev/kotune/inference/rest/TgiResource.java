package dev.kotune.inference.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.kotune.engine.FinishReason;
import dev.kotune.engine.SamplingParams;
import dev.kotune.inference.CompletionService;
import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.CompletionChunk;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.ServedModel;
import dev.kotune.inference.domain.TokenLogprob;
import dev.kotune.inference.models.ModelCatalog;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * text-generation-inference's routes, so TGI clients (huggingface_hub's {@code InferenceClient.text_generation})
 * work against kotune: {@code POST /generate}, {@code POST /generate_stream} (server-sent token events, the last one
 * with {@code generated_text} and {@code details}), {@code POST /} (either, by the body's {@code stream}, as TGI's
 * router does) and {@code GET /info}. They serve the default model (TGI serves
 * one) and run on the same generation contract, scheduler and error mapping as {@code /v1/completions}; TGI
 * parameters kotune cannot honour (typical_p, watermark, truncate, decoder_input_details, best_of other than 1) are
 * refused by name. Thread-safe.
 */
@Path("/")
public class TgiResource {

    /** Canonical field names as TGI's body spells them. */
    static final UnaryOperator<String> NAMES = name -> switch (name) {
        case "prompt" -> "inputs";
        case "logprobs" -> "parameters.top_n_tokens";
        case "stop_strings", "stop" -> "parameters.stop";
        default -> "parameters." + name;
    };

    private final CompletionService completions;
    private final ModelCatalog catalog;
    private final OpenAiResponder responder;

    public TgiResource(CompletionService completions, ModelCatalog catalog, OpenAiResponder responder) {
        this.completions = completions;
        this.catalog = catalog;
        this.responder = responder;
    }

    /** TGI's compatibility route: {@code /generate_stream} when the body says {@code "stream": true}. */
    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    public Response compat(TgiRequest request, @Context HttpServerRequest http) {
        return run(request, http, request != null && Boolean.TRUE.equals(request.stream()));
    }

    @POST
    @Path("generate")
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response generate(TgiRequest request, @Context HttpServerRequest http) {
        return run(request, http, false);
    }

    @POST
    @Path("generate_stream")
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.SERVER_SENT_EVENTS, MediaType.APPLICATION_JSON})
    public Response generateStream(TgiRequest request, @Context HttpServerRequest http) {
        return run(request, http, true);
    }

    @GET
    @Path("info")
    @Produces(MediaType.APPLICATION_JSON)
    public Info info() {
        ServedModel model = catalog.resolve(null);
        return new Info(
                model.id(),
                "float32",
                Math.max(0, model.contextLength() - 1),
                model.contextLength(),
                1,
                SamplingParams.MAX_STOP,
                SamplingParams.MAX_LOGPROBS,
                "kotune",
                "onnxruntime-cpu");
    }

    private Response run(TgiRequest request, HttpServerRequest http, boolean stream) {
        Disconnect disconnect = new Disconnect(http);
        CompletionService.Prepared prepared;
        TgiRequest.Parameters p = request == null || request.parameters() == null ? empty() : request.parameters();
        try {
            if (request == null || request.inputs() == null) {
                throw new InvalidRequestException(List.of(new Problem("inputs", "is required: the prompt text")));
            }
            refuseUnsupported(p);
            prepared = completions.prepare(
                    null, Prompt.ofText(request.inputs()), parameters(p), NAMES, disconnect::isCancelled);
        } catch (RuntimeException e) {
            throw responder.failed(e);
        }
        String prefix = Boolean.TRUE.equals(p.returnFullText()) ? request.inputs() : "";
        return responder.respond(
                prepared,
                stream,
                disconnect,
                new Shape(
                        prefix,
                        Boolean.TRUE.equals(p.details()),
                        prepared.params().seed()));
    }

    private static TgiRequest.Parameters empty() {
        return new TgiRequest.Parameters(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    private static SamplingParams.Builder parameters(TgiRequest.Parameters p) {
        return SamplingParams.builder()
                .maxNewTokens(p.maxNewTokens())
                .doSample(p.doSample())
                .temperature(p.temperature())
                .topK(p.topK())
                .topP(p.topP())
                .repetitionPenalty(p.repetitionPenalty())
                .frequencyPenalty(p.frequencyPenalty())
                .seed(p.seed())
                .stopStrings(p.stop())
                .logprobs(p.topNTokens() != null ? p.topNTokens() : 0); // TGI reports every token's logprob
    }

    private static void refuseUnsupported(TgiRequest.Parameters p) {
        List<Problem> problems = new ArrayList<>();
        if (p.bestOf() != null && p.bestOf() != 1) {
            problems.add(
                    new Problem("parameters.best_of", "is not supported: leave it out or set 1, got " + p.bestOf()));
        }
        if (p.typicalP() != null) {
            problems.add(new Problem("parameters.typical_p", "is not supported: leave it out"));
        }
        if (Boolean.TRUE.equals(p.watermark())) {
            problems.add(new Problem("parameters.watermark", "is not supported: leave it out or set false"));
        }
        if (p.truncate() != null) {
            problems.add(new Problem("parameters.truncate", "is not supported: send a prompt that fits the context"));
        }
        if (Boolean.TRUE.equals(p.decoderInputDetails())) {
            problems.add(new Problem(
                    "parameters.decoder_input_details", "is not supported: leave it out or set" + " false"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
    }

    /** TGI's finish reasons. */
    static String finishReason(FinishReason r) {
        return switch (r) {
            case LENGTH -> "length";
            case EOS -> "eos_token";
            case STOP_STRING, STOP_TOKEN -> "stop_sequence";
            case CANCELLED -> "length";
        };
    }

    /** TGI's JSON; a stream holds each token back one event, so the last event carries the last token. */
    private static final class Shape implements OpenAiResponder.Shape {
        private final String prefix;
        private final boolean details;
        private final Long seed;
        private Token held;

        Shape(String prefix, boolean details, Long seed) {
            this.prefix = prefix;
            this.details = details;
            this.seed = seed;
        }

        @Override
        public Object unary(Completion c) {
            Completion.Choice choice = c.first();
            return new Generated(prefix + choice.text(), details ? details(c, tokens(choice)) : null);
        }

        @Override
        public Object chunk(CompletionChunk chunk) {
            if (chunk.tokenIds().isEmpty()) { // text released at the end (held-back characters): the last token's
                if (held != null) {
                    held = new Token(held.id(), held.text() + chunk.textDelta(), held.logprob(), held.special());
                }
                return null;
            }
            Token previous = held;
            float lp = chunk.logprobs().isEmpty() ? 0 : chunk.logprobs().get(0).logprob();
            held = new Token(chunk.tokenIds().get(0), chunk.textDelta(), lp, false);
            return previous == null ? null : new StreamEvent(previous, null, null);
        }

        @Override
        public List<Object> last(Completion c) {
            Completion.Choice choice = c.first();
            Token last = held != null ? held : new Token(0, "", 0, true);
            if (choice.finishReason() == FinishReason.EOS) {
                last = new Token(last.id(), last.text(), last.logprob(), true);
            }
            return List.of(new StreamEvent(last, prefix + choice.text(), details(c, null)));
        }

        @Override
        public boolean done() {
            return false;
        }

        private Details details(Completion c, List<Token> tokens) {
            Completion.Choice choice = c.first();
            return new Details(
                    finishReason(choice.finishReason()), choice.tokenIds().size(), seed, List.of(), tokens);
        }

        private static List<Token> tokens(Completion.Choice choice) {
            List<Token> out = new ArrayList<>();
            for (int i = 0; i < choice.tokenIds().size(); i++) {
                TokenLogprob lp =
                        i < choice.logprobs().size() ? choice.logprobs().get(i) : null;
                boolean eos = i == choice.tokenIds().size() - 1 && choice.finishReason() == FinishReason.EOS;
                out.add(new Token(
                        choice.tokenIds().get(i), lp == null ? "" : lp.token(), lp == null ? 0 : lp.logprob(), eos));
            }
            return out;
        }
    }

    /** One token as TGI reports it. */
    public record Token(int id, String text, float logprob, boolean special) {}

    /** {@code POST /generate}'s answer. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Generated(String generatedText, Details details) {}

    /** One {@code /generate_stream} event; generated_text and details only on the last. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record StreamEvent(Token token, String generatedText, Details details) {}

    /** TGI's details (tokens only on the unary answer). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Details(
            String finishReason, int generatedTokens, Long seed, List<Token> prefill, List<Token> tokens) {}

    /** {@code GET /info}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Info(
            String modelId,
            String modelDtype,
            int maxInputTokens,
            int maxTotalTokens,
            int maxBestOf,
            int maxStopSequences,
            int maxTopNTokens,
            String router,
            String modelDeviceType) {}
}
