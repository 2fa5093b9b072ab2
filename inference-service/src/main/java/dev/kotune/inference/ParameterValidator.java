package dev.kotune.inference;

import dev.kotune.inference.domain.GenerationSettings;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import dev.kotune.inference.domain.ModelInfo;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.RequestedParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Checks a prompt and decoding settings against the ranges written in {@code inference_service.proto}
 * ({@code GenerationParameters}) and fills HF generate()'s defaults. Every problem is reported, each naming the field
 * as the caller's API spells it (a {@code names} function maps the canonical proto name, e.g. "top_p", to
 * "parameters.top_p" for gRPC or "top_p" for REST) with the allowed range and the value. Rules that need the model
 * (vocab size, context length) are checked by {@link #checkAgainst}. Stateless and thread-safe.
 */
public final class ParameterValidator {

    /** max_length when neither max_length nor max_new_tokens is given (the notebook's). */
    public static final int DEFAULT_MAX_LENGTH = GenerationSettings.DEFAULT_MAX_LENGTH;
    /** HF's top_k default (active when sampling). */
    public static final int DEFAULT_TOP_K = 50;

    private ParameterValidator() {
    }

    /**
     * Validates the prompt and settings.
     *
     * @param names maps a canonical field name ("text", "ids", "max_new_tokens", ...) to the API's name
     * @return the settings with defaults
     * @throws InvalidRequestException listing every problem
     */
    public static GenerationSettings validate(Prompt prompt, RequestedParameters p, UnaryOperator<String> names) {
        List<Problem> problems = new ArrayList<>();
        checkPrompt(prompt, names, problems);
        if (p.maxNewTokens() != null && p.maxNewTokens() < 1) {
            problems.add(new Problem(names.apply("max_new_tokens"), "must be >= 1, got " + p.maxNewTokens()));
        }
        if (p.maxLength() != null && p.maxLength() < 2) {
            problems.add(new Problem(names.apply("max_length"),
                    "must be in [prompt_length + 1, context_length], got " + p.maxLength()));
        }
        if (p.minNewTokens() != null) {
            int upper = p.maxNewTokens() != null ? p.maxNewTokens() : Integer.MAX_VALUE;
            if (p.minNewTokens() < 0 || p.minNewTokens() > upper) {
                problems.add(new Problem(names.apply("min_new_tokens"), "must be in [0, max_new_tokens"
                        + (p.maxNewTokens() != null ? " = " + upper : "") + "], got " + p.minNewTokens()));
            }
        }
        leftOpen(names.apply("temperature"), p.temperature(), "0", 0, "100", 100, problems);
        if (p.topK() != null && p.topK() < 0) {
            problems.add(new Problem(names.apply("top_k"), "must be in [0, vocab_size], got " + p.topK()));
        }
        leftOpen(names.apply("top_p"), p.topP(), "0", 0, "1", 1, problems);
        leftOpen(names.apply("repetition_penalty"), p.repetitionPenalty(), "0", 0, "10", 10, problems);
        closed(names.apply("no_repeat_ngram_size"), p.noRepeatNgramSize(), 0, 16, problems);
        if (p.stop().size() > 8) {
            problems.add(new Problem(names.apply("stop"), "must hold at most 8 strings, got " + p.stop().size()));
        }
        for (int i = 0; i < p.stop().size(); i++) {
            String s = p.stop().get(i);
            int length = s == null ? 0 : s.length();
            if (length < 1 || length > 256) {
                problems.add(new Problem(names.apply("stop") + "[" + i + "]",
                        "must be 1 to 256 characters long, got " + length));
            }
        }
        closed(names.apply("logprobs"), p.logprobs(), 0, 20, problems);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return new GenerationSettings(p.maxNewTokens(), p.maxLength(),
                p.minNewTokens() != null ? p.minNewTokens() : 0, Boolean.TRUE.equals(p.doSample()),
                p.temperature() != null ? p.temperature() : 1.0, p.topK() != null ? p.topK() : DEFAULT_TOP_K,
                p.topP() != null ? p.topP() : 1.0, p.repetitionPenalty() != null ? p.repetitionPenalty() : 1.0,
                p.noRepeatNgramSize() != null ? p.noRepeatNgramSize() : 0, p.stop(), p.seed(), p.logprobs(),
                p.stopAtEos() == null || p.stopAtEos());
    }

    /**
     * Checks what depends on the model: prompt ids and top_k against its vocab size, max_length and max_new_tokens
     * against its context length. Unknown sizes (0) are not checked here (the generator checks them).
     *
     * @throws InvalidRequestException listing every problem
     */
    public static void checkAgainst(ModelInfo model, Prompt prompt, GenerationSettings s, UnaryOperator<String> names) {
        List<Problem> problems = new ArrayList<>();
        int vocab = model.vocabSize();
        if (vocab > 0) {
            for (int i = 0; i < prompt.ids().size(); i++) {
                int id = prompt.ids().get(i);
                if (id >= vocab) {
                    problems.add(new Problem(names.apply("ids") + "[" + i + "]", "must be in [0, " + vocab
                            + ") for model " + model.id() + ", got " + id));
                }
            }
            if (s.topK() > vocab) {
                problems.add(new Problem(names.apply("top_k"), "must be in [0, " + vocab + "] for model "
                        + model.id() + ", got " + s.topK()));
            }
        }
        int context = model.contextLength();
        if (context > 0) {
            if (s.maxLength() != null && s.maxLength() > context) {
                problems.add(new Problem(names.apply("max_length"), "must be in [prompt_length + 1, " + context
                        + "] for model " + model.id() + ", got " + s.maxLength()));
            }
            if (s.maxNewTokens() != null && s.maxNewTokens() > context - 1) {
                problems.add(new Problem(names.apply("max_new_tokens"), "must be in [1, " + context
                        + " - prompt_length] for model " + model.id() + ", got " + s.maxNewTokens()));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
    }

    private static void checkPrompt(Prompt prompt, UnaryOperator<String> names, List<Problem> problems) {
        if (prompt == null) {
            problems.add(new Problem(names.apply("text"), "is required: the prompt as non-blank text or token ids"));
        } else if (!prompt.isIds()) {
            if (prompt.text().isBlank()) {
                problems.add(new Problem(names.apply("text"), "must not be blank"));
            }
        } else if (prompt.ids().isEmpty()) {
            problems.add(new Problem(names.apply("ids"), "must hold 1 or more token ids"));
        } else {
            for (int i = 0; i < prompt.ids().size(); i++) {
                if (prompt.ids().get(i) < 0) {
                    problems.add(new Problem(names.apply("ids") + "[" + i + "]",
                            "must be in [0, vocab_size), got " + prompt.ids().get(i)));
                }
            }
        }
    }

    private static void leftOpen(String field, Double value, String min, double minValue, String max,
            double maxValue, List<Problem> problems) {
        if (value != null && (value.isNaN() || value <= minValue || value > maxValue)) {
            problems.add(new Problem(field, "must be in (" + min + ", " + max + "], got " + value));
        }
    }

    private static void closed(String field, Integer value, int min, int max, List<Problem> problems) {
        if (value != null && (value < min || value > max)) {
            problems.add(new Problem(field, "must be in [" + min + ", " + max + "], got " + value));
        }
    }
}
