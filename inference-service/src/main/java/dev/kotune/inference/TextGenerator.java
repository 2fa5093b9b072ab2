package dev.kotune.inference;

import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.GenerationRequest;
import dev.kotune.inference.domain.ModelInfo;
import dev.kotune.inference.domain.ModelUnavailableException;

/**
 * Generates text with a model from the catalog: the seam where the ONNX Runtime generation engine (issue 5) plugs
 * in. The service has already validated the request's ranges, resolved the model (NOT_FOUND handled) and checked
 * ids/top_k/lengths against the model's vocab and context; the generator tokenizes, applies the remaining
 * prompt-length rules and runs the loop.
 *
 * <p>Implementations are CDI beans ({@code @ApplicationScoped}); any one replaces {@link PlaceholderTextGenerator}
 * (the {@code @DefaultBean}) by existing. They are called concurrently from gRPC and REST worker threads and must be
 * thread-safe.
 */
public interface TextGenerator {

    /**
     * Makes sure {@code model} can answer (loads it on first use), so a call can fail before a stream starts.
     *
     * @throws ModelUnavailableException when it cannot be loaded now
     */
    void ensureLoaded(ModelInfo model);

    /**
     * Generates a completion for {@code request} with {@code model}, feeding {@code listener} with chunks as they
     * become valid UTF-8 text (streaming) and stopping early when it reports the client cancelled.
     *
     * @return the whole completion (for streaming, the final message's finish reason and usage come from it)
     * @throws ModelUnavailableException when the model cannot answer now
     * @throws dev.kotune.inference.domain.InvalidRequestException for a rule that needs the tokenized prompt (e.g.
     *                                                              max_new_tokens beyond context - prompt length)
     */
    Completion generate(ModelInfo model, GenerationRequest request, GenerationListener listener);
}
