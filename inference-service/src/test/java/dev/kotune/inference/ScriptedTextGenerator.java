package dev.kotune.inference;

import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.CompletionChunk;
import dev.kotune.inference.domain.FinishReason;
import dev.kotune.inference.domain.GenerationRequest;
import dev.kotune.inference.domain.ModelInfo;
import dev.kotune.inference.domain.TokenLogprob;
import dev.kotune.inference.domain.Usage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.ArrayList;
import java.util.List;

/**
 * A TEST DOUBLE of the generator, enabled only by {@link ScriptedGeneratorProfile}: it always "generates" the same
 * three pieces ({@link #PIECES}, ids {@link #IDS}) so the tests can check the transports (gRPC unary and streaming,
 * REST JSON and SSE) end to end while the real engine (issue 5) is not there. It generates nothing. Thread-safe.
 */
@Alternative
@ApplicationScoped
public class ScriptedTextGenerator implements TextGenerator {

    static final List<String> PIECES = List.of(" 안녕", "하세요", "!");
    static final List<Integer> IDS = List.of(8084, 376, 22375);

    @Override
    public void ensureLoaded(ModelInfo model) {
    }

    @Override
    public Completion generate(ModelInfo model, GenerationRequest request, GenerationListener listener) {
        List<TokenLogprob> all = new ArrayList<>();
        for (int i = 0; i < PIECES.size(); i++) {
            List<TokenLogprob> logprobs = request.settings().logprobs() == null ? List.of()
                    : List.of(new TokenLogprob(IDS.get(i), PIECES.get(i), -0.5f * (i + 1),
                            List.of(new TokenLogprob.Alternative(IDS.get(i), -0.5f * (i + 1)))));
            all.addAll(logprobs);
            listener.onChunk(new CompletionChunk(PIECES.get(i), List.of(IDS.get(i)), logprobs));
        }
        return new Completion(model.id(), String.join("", PIECES), IDS, FinishReason.LENGTH,
                new Usage(request.prompt().isIds() ? request.prompt().ids().size() : 4, IDS.size(), 1.5, 3.0), all);
    }
}
