package dev.kotune.inference.engine;

import dev.kotune.engine.GenerationConfig;
import dev.kotune.inference.domain.GenerationSettings;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps the service's validated {@link GenerationSettings} to the engine's {@link GenerationConfig}. Stop strings are
 * not passed on: the service matches them itself so that streamed text never contains (a piece of) a stop string.
 * Stateless, thread-safe.
 */
final class EngineConfigs {

    /**
     * An EOS id no model has, so that the engine never stops at EOS ({@code stop_at_eos = false}); the engine ignores
     * ids outside the vocabulary when it bans EOS for min_new_tokens.
     */
    static final int NO_EOS = Integer.MAX_VALUE;

    private EngineConfigs() {
    }

    /**
     * The engine config for {@code s}. The engine validates again (its ranges are wider than the API's); anything it
     * still refuses is reported as INVALID_ARGUMENT with its message.
     *
     * @param padTokenId the model's pad id (else its first EOS), used as filler when EOS is not a stop
     */
    static GenerationConfig of(GenerationSettings s, Integer padTokenId) {
        GenerationConfig.Builder b = GenerationConfig.builder()
                .maxLength(s.effectiveMaxLength())
                .maxNewTokens(s.maxNewTokens())
                .minNewTokens(s.minNewTokens())
                .doSample(s.doSample())
                .temperature(s.temperature())
                .topK(s.topK())
                .topP(s.topP())
                .repetitionPenalty(s.repetitionPenalty())
                .noRepeatNgramSize(s.noRepeatNgramSize())
                .seed(s.seed())
                .logprobs(s.logprobs() != null);
        if (!s.stopAtEos()) {
            b.eosTokenIds(List.of(NO_EOS)).padTokenId(padTokenId);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(problems(e.getMessage()));
        }
    }

    /**
     * The engine's "invalid generation config: top_p must be in (0, 1], got 2; ..." as problems named by their
     * first word ("top_p": "must be in (0, 1], got 2").
     */
    static List<Problem> problems(String message) {
        String body = message.startsWith(ENGINE_PREFIX) ? message.substring(ENGINE_PREFIX.length()) : message;
        List<Problem> problems = new ArrayList<>();
        for (String part : body.split("; ")) {
            int space = part.indexOf(' ');
            problems.add(space > 0 ? new Problem(part.substring(0, space), part.substring(space + 1))
                    : new Problem("parameters", part));
        }
        return problems;
    }

    private static final String ENGINE_PREFIX = "invalid generation config: ";
}
