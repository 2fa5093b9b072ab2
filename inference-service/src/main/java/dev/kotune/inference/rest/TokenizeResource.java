package dev.kotune.inference.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.kotune.inference.ChatTemplates;
import dev.kotune.inference.CompletionService;
import dev.kotune.inference.TextGenerator;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import dev.kotune.inference.domain.ServedModel;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@code POST /tokenize} for both TGI and vLLM clients, and vLLM's {@code POST /detokenize}, with the model's own
 * tokenizer. TGI and vLLM both use {@code /tokenize} with different bodies, so the body decides: with {@code inputs}
 * and neither {@code prompt} nor {@code messages} it is TGI's ({@code {"inputs": text}} → a list of
 * {@code {id, text, start, stop}}, the default model, start/stop as UTF-8 byte offsets into the input as Rust's
 * tokenizers count them, special tokens added); otherwise vLLM's ({@code model}, {@code prompt} or {@code messages}
 * rendered with the model's chat template, {@code add_special_tokens}, {@code add_generation_prompt} →
 * {@code {count, max_model_len, tokens}}). vLLM's {@code return_token_strs} is refused by name. Errors are the other
 * routes' (400 naming the field, 404 unknown model). Thread-safe.
 */
@Path("/")
public class TokenizeResource {

    private final CompletionService completions;
    private final ChatTemplates templates;
    private final ObjectMapper json;

    public TokenizeResource(CompletionService completions, ChatTemplates templates, ObjectMapper json) {
        this.completions = completions;
        this.templates = templates;
        this.json = json;
    }

    @POST
    @Path("tokenize")
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Object tokenize(JsonNode body) throws JsonProcessingException {
        if (body == null || !body.isObject()) {
            throw invalid("prompt", "is required: send {\"prompt\": text} (vLLM) or {\"inputs\": text} (TGI)");
        }
        if (body.has("inputs") && !body.has("prompt") && !body.has("messages")) {
            return tgi(json.treeToValue(body, TgiTokenize.class));
        }
        return vllm(json.treeToValue(body, VllmTokenize.class));
    }

    @POST
    @Path("detokenize")
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Detokenized detokenize(VllmDetokenize body) {
        if (body == null || body.tokens() == null) {
            throw invalid("tokens", "is required: an array of token ids");
        }
        int[] ids = new int[body.tokens().size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = body.tokens().get(i);
            if (id == null) {
                throw invalid("tokens[" + i + "]", "must be a token id, got null");
            }
            ids[i] = id;
        }
        return new Detokenized(completions.detokenize(body.model(), ids));
    }

    private List<TextGenerator.Token> tgi(TgiTokenize body) {
        if (body.inputs() == null) {
            throw invalid("inputs", "is required: the text to tokenize");
        }
        return completions.tokenize(null, body.inputs(), true, name -> "prompt".equals(name) ? "inputs" : name);
    }

    private Tokenized vllm(VllmTokenize body) {
        if (Boolean.TRUE.equals(body.returnTokenStrs())) {
            throw invalid("return_token_strs", "is not supported: leave it out or set false");
        }
        if (body.prompt() != null && body.messages() != null) {
            throw invalid("messages", "cannot be sent with prompt: send one of them");
        }
        ServedModel model = completions.resolve(body.model());
        String text;
        boolean special;
        UnaryOperator<String> names;
        if (body.messages() != null) {
            text = templates.render(
                    model,
                    ChatCompletionsResource.messages(body.messages()),
                    !Boolean.FALSE.equals(body.addGenerationPrompt()));
            special = Boolean.TRUE.equals(body.addSpecialTokens()); // vLLM: the template has them
            names = name -> "prompt".equals(name) ? "messages" : name;
        } else if (body.prompt() != null) {
            text = body.prompt();
            special = !Boolean.FALSE.equals(body.addSpecialTokens());
            names = UnaryOperator.identity();
        } else {
            throw invalid("prompt", "is required: the text to tokenize (or messages, rendered with the chat template)");
        }
        List<Integer> ids = completions.tokenize(model.id(), text, special, names).stream()
                .map(TextGenerator.Token::id)
                .toList();
        return new Tokenized(ids.size(), model.contextLength(), ids);
    }

    private static InvalidRequestException invalid(String field, String message) {
        return new InvalidRequestException(List.of(new Problem(field, message)));
    }

    /** TGI's tokenize body: {@code parameters} is accepted and ignored, as TGI does. */
    public record TgiTokenize(String inputs, JsonNode parameters) {}

    /** vLLM's tokenize body (completion or chat form). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record VllmTokenize(
            String model,
            String prompt,
            List<ChatCompletionRequest.Message> messages,
            Boolean addSpecialTokens,
            Boolean addGenerationPrompt,
            Boolean returnTokenStrs) {}

    /** vLLM's tokenize answer. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Tokenized(int count, int maxModelLen, List<Integer> tokens) {}

    /** vLLM's detokenize body. */
    public record VllmDetokenize(String model, List<Integer> tokens) {}

    /** vLLM's detokenize answer. */
    public record Detokenized(String prompt) {}
}
