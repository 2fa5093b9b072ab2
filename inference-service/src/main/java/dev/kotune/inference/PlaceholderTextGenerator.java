package dev.kotune.inference;

import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.GenerationRequest;
import dev.kotune.inference.domain.ModelInfo;
import dev.kotune.inference.domain.ModelUnavailableException;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * PLACEHOLDER, not a generator: until the ONNX Runtime generation engine lands (issue 5) every generation answers
 * UNAVAILABLE (HTTP 503) with {@value #MESSAGE}, after the request was validated and the model resolved, so clients
 * get the real error contract instead of made-up text. Any other {@link TextGenerator} bean replaces this one.
 * Stateless and thread-safe.
 */
@DefaultBean
@ApplicationScoped
public class PlaceholderTextGenerator implements TextGenerator {

    /** The UNAVAILABLE description. */
    public static final String MESSAGE = "no model loaded: the generation engine lands with issue 5";

    @Override
    public void ensureLoaded(ModelInfo model) {
        throw new ModelUnavailableException(MESSAGE);
    }

    @Override
    public Completion generate(ModelInfo model, GenerationRequest request, GenerationListener listener) {
        throw new ModelUnavailableException(MESSAGE);
    }
}
