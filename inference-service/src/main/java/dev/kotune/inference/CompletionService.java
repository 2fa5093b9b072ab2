package dev.kotune.inference;

import dev.kotune.engine.InvalidParamsException;
import dev.kotune.engine.SamplingParams;
import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.ServedModel;
import dev.kotune.inference.models.ModelCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * What gRPC and REST share: build the engine's generation contract from the edge's fields (its validation names
 * every problem), resolve the model, load it, check the request against it and queue it on the model's scheduler,
 * then stream the output. Failures are the domain exceptions each edge maps to its status codes:
 * InvalidRequestException (INVALID_ARGUMENT / 400; fields in the edge's spelling), ModelNotFoundException (NOT_FOUND
 * / 404), ModelUnavailableException (UNAVAILABLE / 503), ModelInvalidException (FAILED_PRECONDITION / 503), the
 * engine's QueueFullException (RESOURCE_EXHAUSTED / 429). Thread-safe.
 */
@ApplicationScoped
public class CompletionService {

    private final ModelCatalog catalog;
    private final TextGenerator generator;

    public CompletionService(ModelCatalog catalog, TextGenerator generator) {
        this.catalog = catalog;
        this.generator = generator;
    }

    /** A request that passed every check and waits in its model's queue. Close it if never generated (idempotent). */
    public record Prepared(
            ServedModel model, SamplingParams params, UnaryOperator<String> names, TextGenerator.Generation generation)
            implements AutoCloseable {

        @Override
        public void close() {
            generation.close();
        }
    }

    /**
     * Runs every check that can fail before any output exists (so a stream can still answer with a status), loads
     * the model and queues the request.
     *
     * @param params    the edge's fields on the contract's builder (null = not given)
     * @param names     maps canonical field names ("prompt", "max_new_tokens", ...) to the caller's API's names
     * @param cancelled whether the client went away (a waiting request whose client left never runs)
     */
    public Prepared prepare(
            String modelId,
            Prompt prompt,
            SamplingParams.Builder params,
            UnaryOperator<String> names,
            BooleanSupplier cancelled) {
        List<Problem> problems = new ArrayList<>(promptProblems(prompt, names));
        SamplingParams p = null;
        try {
            p = params.build();
        } catch (InvalidParamsException e) {
            problems.addAll(InvalidRequestException.of(e, names).problems());
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        ServedModel model = catalog.resolve(modelId);
        try {
            checkAgainstMetadata(model, prompt, p);
            return new Prepared(model, p, names, generator.start(model, prompt, p, cancelled));
        } catch (InvalidParamsException e) {
            throw InvalidRequestException.of(e, names);
        }
    }

    /**
     * {@code text} as {@code modelId}'s tokenizer splits it (the model is loaded if needed).
     *
     * @param names maps "prompt" to the caller's field name
     */
    public List<TextGenerator.Token> tokenize(
            String modelId, String text, boolean addSpecialTokens, UnaryOperator<String> names) {
        ServedModel model = catalog.resolve(modelId);
        try {
            return generator.tokenize(model, text, addSpecialTokens);
        } catch (InvalidParamsException e) {
            throw InvalidRequestException.of(e, names);
        }
    }

    /** The text of {@code ids} with {@code modelId}'s tokenizer (special tokens skipped). */
    public String detokenize(String modelId, int[] ids) {
        ServedModel model = catalog.resolve(modelId);
        try {
            return generator.detokenize(model, ids);
        } catch (InvalidParamsException e) {
            throw InvalidRequestException.of(e, UnaryOperator.identity());
        }
    }

    /** The model that answers for {@code modelId} (null or empty: the default). */
    public ServedModel resolve(String modelId) {
        return catalog.resolve(modelId);
    }

    /** Streams a prepared request's output into {@code listener}; returns the whole completion. */
    public Completion generate(Prepared prepared, GenerationListener listener) {
        try {
            return prepared.generation().await(listener);
        } finally {
            prepared.close();
        }
    }

    /** The text generator in use (for health and logs). */
    public String generatorName() {
        return generator.getClass().getName().replaceAll("_Subclass$|_ClientProxy$", "");
    }

    /**
     * Before loading: an ids prompt is checked with the engine's own rules against what kotune.json says of the model
     * (vocab, context), so a bad request is refused even when the export cannot load. A text prompt is checked
     * after it is tokenized.
     */
    private static void checkAgainstMetadata(ServedModel model, Prompt prompt, SamplingParams params) {
        if (prompt.isIds() && model.vocabSize() > 0 && model.contextLength() > 0) {
            params.checkFits(
                    dev.kotune.engine.ModelInfo.limits(model.vocabSize(), model.contextLength()),
                    prompt.ids().stream().mapToInt(Integer::intValue).toArray());
        }
    }

    /** What the engine cannot see: a missing or blank prompt (ids are checked against the model there). */
    private static List<Problem> promptProblems(Prompt prompt, UnaryOperator<String> names) {
        if (prompt == null) {
            return List.of(
                    new Problem(names.apply("prompt"), "is required: the prompt as non-blank text or token" + " ids"));
        }
        if (!prompt.isIds() && prompt.text().isBlank()) {
            return List.of(new Problem(names.apply("prompt"), "must not be blank"));
        }
        if (prompt.isIds() && prompt.ids().isEmpty()) {
            return List.of(new Problem(names.apply("prompt"), "must hold 1 or more token ids"));
        }
        return List.of();
    }
}
