package dev.kotune.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kotune.inference.domain.FinishReason;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.RequestedParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Maps the OpenAI-style REST body to the domain. Stateless. */
final class RestMapping {

    /** Canonical field names as the REST body spells them. */
    static final UnaryOperator<String> NAMES = name -> switch (name) {
        case "text", "ids" -> "prompt";
        case "max_new_tokens" -> "max_tokens";
        case "min_new_tokens" -> "min_tokens";
        default -> name;
    };

    private RestMapping() {
    }

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

    /** The decoding settings, before validation. */
    static RequestedParameters parameters(CompletionRequest r) {
        if (r.n() != null && r.n() != 1) {
            throw invalid("n", "must be 1 (one completion per request), got " + r.n());
        }
        if (Boolean.TRUE.equals(r.echo())) {
            throw invalid("echo", "must be false (the prompt is not echoed), got true");
        }
        Double temperature = r.temperature();
        Boolean doSample = r.doSample();
        if (temperature != null && temperature == 0.0) {
            // OpenAI's convention: temperature 0 = greedy.
            temperature = null;
            if (doSample == null) {
                doSample = false;
            }
        }
        if (doSample == null) {
            doSample = temperature != null || r.topP() != null || r.topK() != null;
        }
        return new RequestedParameters(r.maxTokens(), r.maxLength(), r.minTokens(), doSample, temperature, r.topK(),
                r.topP(), r.repetitionPenalty(), r.noRepeatNgramSize(), stop(r.stop()), r.seed(), r.logprobs(),
                r.stopAtEos());
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

    /** OpenAI's finish_reason: "length" or "stop" (EOS and stop strings); null when cancelled. */
    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case LENGTH -> "length";
            case EOS, STOP -> "stop";
            case CANCELLED -> null;
        };
    }

    private static InvalidRequestException invalid(String field, String message) {
        return new InvalidRequestException(List.of(new Problem(field, message)));
    }
}
