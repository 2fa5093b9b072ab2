package dev.kotune.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.engine.FinishReason;
import dev.kotune.engine.SamplingParams;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import dev.kotune.inference.domain.Prompt;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Maps the OpenAI-style REST body to the domain. Stateless. */
final class RestMapping {

    /** Canonical field names as the REST body spells them (OpenAI's, then vLLM's extensions). */
    static final UnaryOperator<String> NAMES = name -> switch (name) {
        case "max_new_tokens" -> "max_tokens";
        case "min_new_tokens" -> "min_tokens";
        default -> name;
    };

    private RestMapping() {}

    /** The prompt: a string or an array of non-negative integers; null when absent. */
    static Prompt prompt(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return Prompt.ofText(node.asText());
        }
        if (node.isArray()) {
            List<Integer> ids = new ArrayList<>();
            for (JsonNode id : node) {
                if (!id.isIntegralNumber() || !id.canConvertToInt()) {
                    throw invalid("prompt", "must be a string or an array of token ids (integers), got " + node);
                }
                ids.add(id.asInt());
            }
            return Prompt.ofIds(ids);
        }
        throw invalid("prompt", "must be a string or an array of token ids, got " + node.getNodeType());
    }

    /** {@code /v1/completions}' fields on the engine's generation contract. */
    static SamplingParams.Builder parameters(CompletionRequest r) {
        if (r.bestOf() != null && r.bestOf() != 1) {
            throw invalid("best_of", "is not supported: leave it out or set 1, got " + r.bestOf());
        }
        if (r.suffix() != null && !r.suffix().isEmpty()) {
            throw invalid("suffix", "is not supported (no insertion completions): leave it out");
        }
        return parameters(r, r.maxTokens(), r.logprobs())
                .ignoreEos(r.ignoreEos() != null ? r.ignoreEos() : r.stopAtEos() != null ? !r.stopAtEos() : null)
                .promptLogprobs(promptLogprobs(r));
    }

    /**
     * echo with logprobs scores the prompt (the engine's prompt_logprobs, N alternatives as logprobs asks); echo with
     * max_tokens 0 scores it too, so the prompt alone is answered (as vLLM allows); otherwise none.
     */
    static Integer promptLogprobs(CompletionRequest r) {
        if (!Boolean.TRUE.equals(r.echo())) {
            return null;
        }
        if (r.logprobs() != null) {
            return r.logprobs();
        }
        return r.maxTokens() != null && r.maxTokens() == 0 ? 0 : null;
    }

    /**
     * The shared fields on the engine's generation contract, as given (null = not given): the contract decides the
     * defaults, when to sample (a temperature above 0, top_p or top_k turns it on; 0 is greedy) and every range.
     */
    static SamplingParams.Builder parameters(SamplingFields r, Integer maxTokens, Integer logprobs) {
        return SamplingParams.builder()
                .maxNewTokens(maxTokens)
                .maxLength(r.maxLength())
                .minNewTokens(r.minTokens())
                .doSample(r.doSample())
                .temperature(r.temperature())
                .topK(r.topK())
                .topP(r.topP())
                .repetitionPenalty(r.repetitionPenalty())
                .noRepeatNgramSize(r.noRepeatNgramSize())
                .stopStrings(stop(r.stop()))
                .stopTokenIds(r.stopTokenIds())
                .includeStopStrInOutput(r.includeStopStrInOutput())
                .seed(r.seed())
                .logprobs(logprobs)
                .ignoreEos(r.ignoreEos())
                .n(r.n())
                .frequencyPenalty(r.frequencyPenalty())
                .presencePenalty(r.presencePenalty())
                .logitBias(logitBias(r.logitBias()));
    }

    /** OpenAI's logit_bias keys are token ids written as strings. */
    private static java.util.Map<Integer, Double> logitBias(java.util.Map<String, Double> bias) {
        if (bias == null) {
            return null;
        }
        java.util.Map<Integer, Double> out = new java.util.TreeMap<>();
        for (var e : bias.entrySet()) {
            try {
                out.put(Integer.valueOf(e.getKey().trim()), e.getValue());
            } catch (NumberFormatException x) {
                throw invalid("logit_bias", "keys must be token ids, got \"" + e.getKey() + "\"");
            }
        }
        return out;
    }

    private static List<String> stop(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        if (node.isArray()) {
            List<String> stops = new ArrayList<>();
            for (JsonNode s : node) {
                if (!s.isTextual()) {
                    throw invalid("stop", "must be a string or an array of strings, got " + node);
                }
                stops.add(s.asText());
            }
            return stops;
        }
        throw invalid("stop", "must be a string or an array of strings, got " + node.getNodeType());
    }

    /** OpenAI's finish_reason: "length", or "stop" (EOS, a stop string or stop token); null when cancelled. */
    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case LENGTH -> "length";
            case EOS, STOP_STRING, STOP_TOKEN -> "stop";
            case CANCELLED -> null;
        };
    }

    private static InvalidRequestException invalid(String field, String message) {
        return new InvalidRequestException(List.of(new Problem(field, message)));
    }
}
