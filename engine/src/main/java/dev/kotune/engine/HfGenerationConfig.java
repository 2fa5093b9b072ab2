package dev.kotune.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Hugging Face {@code generation_config.json} into a {@link SamplingParams.Builder}, as
 * {@code model.generate()} starts from the model's generation config: fields it sets override HF's defaults, the
 * caller's explicit settings override both. Stateless, thread-safe.
 */
public final class HfGenerationConfig {

    /** {@code generate()}'s max_length when the generation config has none. */
    public static final int HF_MAX_LENGTH = 20;

    private HfGenerationConfig() {}

    /** The builder for {@code dir/generation_config.json}, or plain HF defaults when the file is absent. */
    public static SamplingParams.Builder defaultsFor(Path dir) throws IOException {
        Path file = dir.resolve("generation_config.json");
        if (!Files.isRegularFile(file)) {
            return from(new ObjectMapper().createObjectNode());
        }
        return from(new ObjectMapper().readTree(file.toFile()));
    }

    public static SamplingParams.Builder from(JsonNode g) {
        SamplingParams.Builder b = SamplingParams.builder();
        b.maxLength(
                g.path("max_length").asInt(HF_MAX_LENGTH)); // HF's defaults, not kotune's, under a generation config
        b.doSample(g.path("do_sample").asBoolean(false));
        if (g.hasNonNull("max_length")) {
            b.maxLength(g.get("max_length").asInt());
        }
        if (g.hasNonNull("max_new_tokens")) {
            b.maxNewTokens(g.get("max_new_tokens").asInt());
        }
        if (g.hasNonNull("min_length")) {
            b.minLength(g.get("min_length").asInt());
        }
        if (g.hasNonNull("min_new_tokens")) {
            b.minNewTokens(g.get("min_new_tokens").asInt());
        }
        if (g.hasNonNull("do_sample")) {
            b.doSample(g.get("do_sample").asBoolean());
        }
        if (g.hasNonNull("temperature")) {
            b.temperature(g.get("temperature").asDouble());
        }
        if (g.hasNonNull("top_k")) {
            b.topK(g.get("top_k").asInt());
        }
        if (g.hasNonNull("top_p")) {
            b.topP(g.get("top_p").asDouble());
        }
        if (g.hasNonNull("repetition_penalty")) {
            b.repetitionPenalty(g.get("repetition_penalty").asDouble());
        }
        if (g.hasNonNull("no_repeat_ngram_size")) {
            b.noRepeatNgramSize(g.get("no_repeat_ngram_size").asInt());
        }
        JsonNode eos = g.get("eos_token_id");
        if (eos != null && !eos.isNull()) {
            List<Integer> ids = new ArrayList<>();
            if (eos.isArray()) {
                eos.forEach(e -> ids.add(e.asInt()));
            } else {
                ids.add(eos.asInt());
            }
            b.eosTokenIds(ids);
        }
        if (g.hasNonNull("pad_token_id")) {
            b.padTokenId(g.get("pad_token_id").asInt());
        }
        return b;
    }
}
