package dev.kotune.inference;

import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.GenerationRequest;
import dev.kotune.inference.domain.GenerationSettings;
import dev.kotune.inference.domain.ModelInfo;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.RequestedParameters;
import dev.kotune.inference.models.ModelCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.UnaryOperator;

/**
 * What gRPC and REST share: validate, resolve the model, check the request against it, make sure it is loaded, then
 * generate with the {@link TextGenerator}. Failures are the domain exceptions each edge maps to its status codes:
 * InvalidRequestException (INVALID_ARGUMENT / 400), ModelNotFoundException (NOT_FOUND / 404),
 * ModelUnavailableException (UNAVAILABLE / 503). Thread-safe.
 */
@ApplicationScoped
public class CompletionService {

    private final ModelCatalog catalog;
    private final TextGenerator generator;

    public CompletionService(ModelCatalog catalog, TextGenerator generator) {
        this.catalog = catalog;
        this.generator = generator;
    }

    /** A request that passed every check before generation, with its model loaded. */
    public record Prepared(ModelInfo model, GenerationRequest request) {
    }

    /**
     * Runs every check that can fail before any output exists (so a stream can still answer with a status).
     *
     * @param names maps canonical field names to the caller's API's names
     */
    public Prepared prepare(String modelId, Prompt prompt, RequestedParameters parameters,
            UnaryOperator<String> names) {
        GenerationSettings settings = ParameterValidator.validate(prompt, parameters, names);
        ModelInfo model = catalog.resolve(modelId);
        ParameterValidator.checkAgainst(model, prompt, settings, names);
        generator.ensureLoaded(model);
        return new Prepared(model, new GenerationRequest(model.id(), prompt, settings));
    }

    /** Generates for a prepared request, feeding {@code listener} as output appears. */
    public Completion generate(Prepared prepared, GenerationListener listener) {
        return generator.generate(prepared.model(), prepared.request(), listener);
    }

    /** The text generator in use (for health and logs). */
    public String generatorName() {
        return generator.getClass().getName().replaceAll("_Subclass$|_ClientProxy$", "");
    }
}
