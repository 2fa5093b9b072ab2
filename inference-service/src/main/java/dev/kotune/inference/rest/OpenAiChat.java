package dev.kotune.inference.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.kotune.inference.domain.TokenLogprob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** OpenAI's chat completion objects: the whole answer and the stream's chunks. Immutable. */
final class OpenAiChat {

    private OpenAiChat() {}

    /** {@code object = "chat.completion"}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Completion(
            String id, String object, long created, String model, List<Choice> choices, OpenAiCompletion.Usage usage) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Choice(int index, Message message, Logprobs logprobs, String finishReason) {}

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Message(String role, String content) {}

    /** {@code object = "chat.completion.chunk"}; usage only on the include_usage chunk. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Chunk(
            String id,
            String object,
            long created,
            String model,
            List<ChunkChoice> choices,
            OpenAiCompletion.Usage usage) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record ChunkChoice(int index, Delta delta, Logprobs logprobs, String finishReason) {}

    /** The new part of the message: the role on a choice's first chunk, content after. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content) {}

    /** Chat logprobs: one entry per token. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Logprobs(List<Content> content) {

        /** Null when nothing was requested. */
        static Logprobs of(List<TokenLogprob> logprobs) {
            if (logprobs.isEmpty()) {
                return null;
            }
            List<Content> out = new ArrayList<>();
            for (TokenLogprob l : logprobs) {
                out.add(new Content(
                        l.token(),
                        l.logprob(),
                        bytes(l.token()),
                        l.top().stream()
                                .map(t -> new Top(t.token(), t.logprob(), bytes(t.token())))
                                .toList()));
            }
            return new Logprobs(out);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Content(String token, float logprob, List<Integer> bytes, List<Top> topLogprobs) {}

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Top(String token, float logprob, List<Integer> bytes) {}

    private static List<Integer> bytes(String s) {
        List<Integer> out = new ArrayList<>();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            out.add(b & 0xff);
        }
        return out;
    }
}
