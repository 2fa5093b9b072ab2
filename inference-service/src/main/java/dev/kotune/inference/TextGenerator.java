package dev.kotune.inference;

import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.GenerationRequest;
import dev.kotune.inference.domain.ModelInfo;
import dev.kotune.inference.domain.ModelInvalidException;
import dev.kotune.inference.domain.ModelUnavailableException;
import dev.kotune.inference.domain.QueueFullException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Generates text with a model from the catalog. The service has already validated the request's ranges, resolved
 * the model (NOT_FOUND handled) and checked ids/top_k/lengths against the model's vocab and context; the generator
 * loads the model, admits the request (per-model concurrency and queue), tokenizes, applies the rules that need the
 * prompt's length and runs the loop.
 *
 * <p>Two steps, so that every failure that can happen before output exists is reported as a status (a stream has not
 * started yet): {@link #reserve} loads and admits, {@link #generate} runs with the reservation and closes it.
 *
 * <p>Implementations are {@code @ApplicationScoped} beans called concurrently from gRPC and REST worker threads; they
 * must be thread-safe.
 */
public interface TextGenerator {

    /**
     * A loaded model and one admitted slot on it. Close it exactly when the generation is over (idempotent);
     * {@link #generate} does.
     */
    interface Reservation extends AutoCloseable {

        /** The model it is for. */
        ModelInfo model();

        @Override
        void close();
    }

    /**
     * Loads {@code model} if needed and waits for a free generation slot on it.
     *
     * @param cancelled tells whether the client went away while the request waits in the queue
     * @throws ModelUnavailableException when it cannot answer now
     * @throws ModelInvalidException     when its files cannot be served (the message says what to fix)
     * @throws QueueFullException        when max-concurrent generations run and max-queue requests wait already
     */
    Reservation reserve(ModelInfo model, BooleanSupplier cancelled);

    /**
     * Generates a completion for {@code request} on a reservation from {@link #reserve}, feeding {@code listener} with
     * chunks as they become valid UTF-8 text and stopping at the next token once it reports the client cancelled.
     * Closes the reservation before it returns or throws.
     *
     * @return the whole completion (for streaming, the final message's finish reason and usage come from it)
     * @throws dev.kotune.inference.domain.InvalidRequestException for a rule that needs the tokenized prompt, with
     *                                                              canonical field names (e.g. "max_new_tokens")
     */
    Completion generate(Reservation reservation, GenerationRequest request, GenerationListener listener);

    /** When the version of {@code modelId} that answers now was loaded; empty when it is not loaded. */
    Optional<Instant> loadedAt(String modelId);

    /** For health: each loaded model id and where it runs, e.g. {"job-7": "CPU"}. */
    Map<String, String> loaded();
}
