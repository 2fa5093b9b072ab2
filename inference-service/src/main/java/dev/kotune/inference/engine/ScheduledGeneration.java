package dev.kotune.inference.engine;

import ai.onnxruntime.OrtException;
import dev.kotune.engine.BatchScheduler;
import dev.kotune.engine.GeneratedToken;
import dev.kotune.engine.GenerationResult;
import dev.kotune.engine.PromptLogprobs;
import dev.kotune.engine.SamplingParams;
import dev.kotune.inference.GenerationListener;
import dev.kotune.inference.TextGenerator;
import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.CompletionChunk;
import dev.kotune.inference.domain.ModelUnavailableException;
import dev.kotune.inference.domain.TokenLogprob;
import dev.kotune.inference.domain.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * One request on a model's {@link BatchScheduler}, bridged to the request's own thread: the scheduler thread only
 * puts events into a queue (it never waits on a client), and {@link #await} takes them on the request thread and
 * writes to the client. Holds a reference on the loaded version until it is closed, so a hot swap lets it finish on
 * the old version. Not thread-safe beyond that hand-over.
 */
final class ScheduledGeneration implements TextGenerator.Generation, BatchScheduler.Listener {

    /** How often a waiting request thread checks that its client is still there. */
    private static final long POLL_MILLIS = 50;

    private record Token(int index, GeneratedToken token) {}

    private record Finish(int index, String textDelta) {}

    private record Failed(Throwable cause) {}

    private final LoadedModel model;
    private final SamplingParams params;
    private final int promptTokens;
    private final int[] previous; // per choice: the token before the next one (the prompt's last at first)
    private final BooleanSupplier clientGone;
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long start = System.nanoTime();
    private volatile GenerationListener listener;
    private volatile boolean cancelled;
    private long firstToken; // nanos from start to the first token (request thread only)
    private BatchScheduler.Handle handle; // null for a score-only request (max_new_tokens 0)
    private List<TokenLogprob> promptLogprobs = List.of();

    private ScheduledGeneration(
            LoadedModel model, SamplingParams params, int promptTokens, BooleanSupplier clientGone) {
        this.model = model;
        this.params = params;
        this.promptTokens = promptTokens;
        this.clientGone = clientGone;
        this.previous = new int[params.n()];
    }

    /**
     * Queues {@code prompt} on {@code model}'s scheduler; takes over the caller's reference on {@code model} (released
     * on close, or now if queueing fails).
     */
    static ScheduledGeneration start(
            LoadedModel model, int[] prompt, SamplingParams params, BooleanSupplier clientGone) {
        ScheduledGeneration g = new ScheduledGeneration(model, params, prompt.length, clientGone);
        java.util.Arrays.fill(g.previous, prompt[prompt.length - 1]);
        try {
            if (params.promptLogprobs() != null) {
                g.promptLogprobs = g.scorePrompt(prompt);
            }
            if (params.maxNewTokens() != null && params.maxNewTokens() == 0) {
                return g; // score-only: nothing to generate
            }
            g.handle = model.scheduler().submit(prompt, params, model.detokenizer(), g);
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
        g.handle.results().whenComplete((r, e) -> {
            if (e != null) {
                g.events.add(new Failed(e));
            }
        });
        return g;
    }

    /** The prompt's tokens with their log-probabilities (the engine's {@link PromptLogprobs}), as text pieces. */
    private List<TokenLogprob> scorePrompt(int[] prompt) {
        List<PromptLogprobs.Scored> scored;
        try {
            scored = PromptLogprobs.score(model.onnx(), prompt, params.promptLogprobs());
        } catch (OrtException e) {
            throw new ModelUnavailableException(
                    "ONNX Runtime failed while scoring the prompt with model "
                            + model.info().id() + ": " + e.getMessage(),
                    e);
        }
        TokenizerDetokenizer d = model.detokenizer();
        List<TokenLogprob> out = new ArrayList<>(prompt.length);
        out.add(new TokenLogprob(prompt[0], d.piece(prompt[0]), Float.NaN, List.of()));
        for (int i = 1; i < prompt.length; i++) {
            int before = prompt[i - 1];
            PromptLogprobs.Scored s = scored.get(i - 1);
            out.add(new TokenLogprob(
                    s.id(),
                    d.pieceAfter(before, s.id()),
                    s.logprob(),
                    s.top().stream()
                            .map(a -> new TokenLogprob.Alternative(a.id(), d.pieceAfter(before, a.id()), a.logprob()))
                            .toList()));
        }
        return out;
    }

    @Override
    public List<TokenLogprob> promptLogprobs() {
        return promptLogprobs;
    }

    // scheduler thread: only queue

    @Override
    public void onToken(int index, GeneratedToken token) {
        events.add(new Token(index, token));
    }

    @Override
    public void onFinish(int index, GenerationResult result, String textDelta) {
        events.add(new Finish(index, textDelta));
    }

    @Override
    public boolean isCancelled() {
        GenerationListener l = listener;
        return cancelled || clientGone.getAsBoolean() || (l != null && l.isCancelled());
    }

    // request thread

    @Override
    public Completion await(GenerationListener out) {
        listener = out;
        List<List<TokenLogprob>> logprobs = new ArrayList<>();
        for (int i = 0; i < params.n(); i++) {
            logprobs.add(new ArrayList<>());
        }
        if (handle == null) { // score-only
            close();
            return scoreOnly();
        }
        try {
            forward(out, logprobs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handle.cancel();
            throw new ModelUnavailableException(
                    "interrupted while generating with model " + model.info().id(), e);
        } finally {
            close();
        }
        return completion(logprobs);
    }

    /** Hands the scheduler's events to {@code out} until every sequence finished; cancels when the client left. */
    private void forward(GenerationListener out, List<List<TokenLogprob>> logprobs) throws InterruptedException {
        int finished = 0;
        while (finished < params.n()) {
            Object e = events.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            if (e == null) {
                if (isCancelled() && !cancelled) {
                    cancelled = true;
                    handle.cancel();
                }
            } else if (e instanceof Token t) {
                if (firstToken == 0) {
                    firstToken = System.nanoTime() - start;
                }
                List<TokenLogprob> lp = List.of();
                if (params.logprobs() != null) {
                    lp = List.of(logprob(previous[t.index()], t.token()));
                    logprobs.get(t.index()).addAll(lp);
                }
                previous[t.index()] = t.token().id();
                out.onChunk(new CompletionChunk(
                        t.index(), t.token().textDelta(), List.of(t.token().id()), lp));
            } else if (e instanceof Finish f) {
                if (!f.textDelta().isEmpty()) {
                    out.onChunk(new CompletionChunk(f.index(), f.textDelta(), List.of(), List.of()));
                }
                finished++;
            } else if (e instanceof Failed f) {
                throw failure(f.cause());
            }
        }
    }

    /** The finished request: one choice per sequence, usage over all of them. */
    private Completion completion(List<List<TokenLogprob>> logprobs) {
        List<GenerationResult> results;
        try {
            results = handle.results().join();
        } catch (CompletionException e) {
            throw failure(e.getCause());
        }
        List<Completion.Choice> choices = new ArrayList<>(results.size());
        int generated = 0;
        for (int i = 0; i < results.size(); i++) {
            GenerationResult r = results.get(i);
            List<Integer> ids = java.util.Arrays.stream(r.tokenIds()).boxed().toList();
            generated += ids.size();
            choices.add(
                    new Completion.Choice(i, r.text() == null ? "" : r.text(), ids, r.finishReason(), logprobs.get(i)));
        }
        long total = System.nanoTime() - start;
        return new Completion(
                model.info().id(),
                choices,
                new Usage(promptTokens, generated, firstToken / 1e6, total / 1e6),
                promptLogprobs);
    }

    /** A score-only request's answer: n empty choices (length: 0 new tokens asked for) and the prompt's scores. */
    private Completion scoreOnly() {
        List<Completion.Choice> choices = new ArrayList<>();
        for (int i = 0; i < params.n(); i++) {
            choices.add(new Completion.Choice(i, "", List.of(), dev.kotune.engine.FinishReason.LENGTH, List.of()));
        }
        long total = System.nanoTime() - start;
        return new Completion(
                model.info().id(), choices, new Usage(promptTokens, 0, total / 1e6, total / 1e6), promptLogprobs);
    }

    /** The chosen token and its alternatives, each as the text it adds after {@code previous}. */
    private TokenLogprob logprob(int previous, GeneratedToken t) {
        TokenizerDetokenizer d = model.detokenizer();
        return new TokenLogprob(
                t.id(),
                d.pieceAfter(previous, t.id()),
                t.logprob(),
                t.top().stream()
                        .map(a -> new TokenLogprob.Alternative(a.id(), d.pieceAfter(previous, a.id()), a.logprob()))
                        .toList());
    }

    private RuntimeException failure(Throwable cause) {
        Throwable c = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        return new ModelUnavailableException(
                "ONNX Runtime failed while generating with model "
                        + model.info().id() + ": " + c.getMessage(),
                c);
    }

    /** Gives the model reference back; a request still queued or running is cancelled. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (handle != null && !handle.results().isDone()) {
                cancelled = true;
                handle.cancel();
            }
            model.release();
        }
    }

    @Override
    public java.util.Optional<dev.kotune.inference.domain.ServedModel> version() {
        return java.util.Optional.of(model.info());
    }
}
