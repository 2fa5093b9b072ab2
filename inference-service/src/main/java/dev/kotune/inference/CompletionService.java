package dev.kotune.inference;

import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.GenerationRequest;
import dev.kotune.inference.domain.GenerationSettings;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.ModelInfo;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.RequestedParameters;
import dev.kotune.inference.models.ModelCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * What gRPC and REST share: validate, resolve the model, check the request against it, load it and admit the request
 * (per-model slots and queue), then generate with the {@link TextGenerator}. Failures are the domain exceptions each
 * edge maps to its status codes: InvalidRequestException (INVALID_ARGUMENT / 400), ModelNotFoundException
 * (NOT_FOUND / 404), ModelUnavailableException (UNAVAILABLE / 503), ModelInvalidException (FAILED_PRECONDITION /
 * 503), QueueFullException (RESOURCE_EXHAUSTED / 429). Thread-safe.
 */
@ApplicationScoped
public class CompletionService {

    private final ModelCatalog catalog;
    private final TextGenerator generator;

    public CompletionService(ModelCatalog catalog, TextGenerator generator) {
        this.catalog = catalog;
        this.generator = generator;
    }

    /**
     * A request that passed every check before generation, holding a slot on its loaded model. Close it if it is
     * never passed to {@link #generate} (idempotent).
     */
    public record Prepared(ModelInfo model, GenerationRequest request, UnaryOperator<String> names,
            TextGenerator.Reservation reservation) implements AutoCloseable {

        @Override
        public void close() {
            reservation.close();
        }
    }

    /**
     * Runs every check that can fail before any output exists (so a stream can still answer with a status), loads
     * the model and waits for a slot on it.
     *
     * @param names     maps canonical field names to the caller's API's names
     * @param cancelled whether the client went away (checked while the request waits in the queue)
     */
    public Prepared prepare(String modelId, Prompt prompt, RequestedParameters parameters,
            UnaryOperator<String> names, BooleanSupplier cancelled) {
        GenerationSettings settings = ParameterValidator.validate(prompt, parameters, names);
        ModelInfo model = catalog.resolve(modelId);
        ParameterValidator.checkAgainst(model, prompt, settings, names);
        TextGenerator.Reservation reservation = generator.reserve(model, cancelled);
        return new Prepared(model, new GenerationRequest(model.id(), prompt, settings), names, reservation);
    }

    /** Generates for a prepared request, feeding {@code listener} as output appears; releases its slot. */
    public Completion generate(Prepared prepared, GenerationListener listener) {
        try {
            return generator.generate(prepared.reservation(), prepared.request(), listener);
        } catch (InvalidRequestException e) {
            throw e.renamed(prepared.names());
        } finally {
            prepared.close();
        }
    }

    /** The text generator in use (for health and logs). */
    public String generatorName() {
        return generator.getClass().getName().replaceAll("_Subclass$|_ClientProxy$", "");
    }
}
