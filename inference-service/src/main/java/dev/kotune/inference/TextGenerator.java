package dev.kotune.inference;

import dev.kotune.engine.InvalidParamsException;
import dev.kotune.engine.QueueFullException;
import dev.kotune.engine.SamplingParams;
import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.ModelInvalidException;
import dev.kotune.inference.domain.ModelUnavailableException;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.ServedModel;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Generates text with a model from the catalog. The service has validated the settings and resolved the model
 * (NOT_FOUND handled); the generator loads the model, tokenizes, checks what needs the model (the engine's
 * {@code SamplingParams.checkFits}) and queues the request on the model's continuous-batching scheduler.
 *
 * <p>Two steps, so that every failure that can happen before output exists is reported as a status (a stream has not
 * started yet): {@link #start} loads, checks and queues; {@link Generation#await} streams the output.
 *
 * <p>Implementations are {@code @ApplicationScoped} beans called concurrently from gRPC and REST worker threads; they
 * must be thread-safe.
 */
public interface TextGenerator {

    /** A queued request on a loaded model. Close it if {@link #await} is never called (idempotent). */
    interface Generation extends AutoCloseable {

        /**
         * Waits for the output, feeding {@code listener} with chunks as they become valid UTF-8 text; a listener
         * that reports the client cancelled stops the request at the next step. Closes the generation.
         *
         * @return the whole completion (for streaming, the final message's finish reason and usage come from it)
         * @throws ModelUnavailableException when ONNX Runtime fails while generating
         */
        Completion await(GenerationListener listener);

        /**
         * Every prompt token with its log-probability when {@code SamplingParams.promptLogprobs} was set (scored when
         * the request was started; the first token's logprob is NaN), else empty.
         */
        default List<dev.kotune.inference.domain.TokenLogprob> promptLogprobs() {
            return List.of();
        }

        @Override
        void close();

        /** The loaded version this request runs on (it finishes on it even if a swap happens meanwhile). */
        default Optional<ServedModel> version() {
            return Optional.empty();
        }
    }

    /**
     * Loads {@code model} if needed, tokenizes {@code prompt}, checks the request against the model and queues it.
     *
     * @param cancelled tells whether the client went away (a waiting request whose client left never runs)
     * @throws InvalidParamsException    for a rule that needs the model (canonical field names, e.g. "max_new_tokens")
     * @throws ModelUnavailableException when it cannot answer now
     * @throws ModelInvalidException     when its files cannot be served (the message says what to fix)
     * @throws QueueFullException        when the model's waiting queue is full
     */
    Generation start(ServedModel model, Prompt prompt, SamplingParams params, BooleanSupplier cancelled);

    /**
     * One token of a tokenized text.
     *
     * @param id    token id
     * @param text  the slice of the input it covers ("" for an added special token)
     * @param start UTF-8 byte offset where the slice starts (as Rust tokenizers, and so TGI, count)
     * @param stop  UTF-8 byte offset where it ends (exclusive)
     */
    record Token(int id, String text, int start, int stop) {}

    /**
     * Tokenizes {@code text} with {@code model}'s own tokenizer (loading the model if needed), e.g. for TGI's and
     * vLLM's {@code /tokenize}.
     *
     * @param addSpecialTokens whether the tokenizer's post-processor adds its special tokens
     * @throws InvalidParamsException    when the tokenizer refuses the text (field "prompt")
     * @throws ModelUnavailableException when it cannot answer now
     * @throws ModelInvalidException     when its files cannot be served
     */
    List<Token> tokenize(ServedModel model, String text, boolean addSpecialTokens);

    /**
     * The text of {@code ids} with {@code model}'s tokenizer, special tokens skipped (vLLM's {@code /detokenize}).
     *
     * @throws InvalidParamsException when an id is outside the model's vocabulary (field "tokens[i]")
     */
    String detokenize(ServedModel model, int[] ids);

    /** When the version of {@code modelId} that answers now was loaded; empty when it is not loaded. */
    Optional<Instant> loadedAt(String modelId);

    /** For health: each loaded model id and where it runs, e.g. {"job-7": "CPU"}. */
    Map<String, String> loaded();
}
