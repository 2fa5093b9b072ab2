package dev.kotune.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kotune.engine.text.Detokenizer;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching on one {@link OnnxModel}: every admitted sequence shares one batched decode step, a new request
 * prefills and joins the running batch at the next step, and a finished, cancelled or disconnected sequence leaves at
 * once (its row is refilled by moving the last row into it). One scheduler thread runs every forward pass; callers
 * {@link #submit} from any thread and receive tokens through their {@link Listener} on that thread.
 *
 * <p>Each sequence keeps its own logits processors, sampler and seed, stop rules and stream ({@link RowDecoder}), so
 * a greedy request gives the tokens it gives alone (up to float rounding of differently shaped matrix products), and a
 * seeded sampled one draws the same numbers whatever its batch-mates. The KV cache is a {@link KvBatch} in Java-owned
 * native memory that ORT reads and writes in place; rows are right-aligned and left-masked, positions count each
 * row's own tokens.
 *
 * <p>Limits ({@link Options}): rows in the batch, tokens in flight (each sequence reserves prompt + max new tokens),
 * waiting requests (beyond it {@link QueueFullException}), and prompt tokens prefilled between two decode steps (so a
 * burst of joiners does not stall the running rows for long). A waiting request whose client went away never runs.
 * FCFS: the head of the queue is admitted first, and nothing overtakes it. Thread-safe.
 */
public final class BatchScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchScheduler.class);

    /**
     * @param maxBatchSize           rows decoded together, e.g. 32
     * @param maxTokensInFlight      sum over running rows of prompt + max new tokens, e.g. 32768
     * @param maxWaiting             requests waiting for admission before {@link QueueFullException}, e.g. 256
     * @param maxPrefillTokens       prompt tokens prefilled between two decode steps (one request always fits), e.g. 256
     */
    public record Options(int maxBatchSize, int maxTokensInFlight, int maxWaiting, int maxPrefillTokens) {

        public Options {
            if (maxBatchSize < 1 || maxTokensInFlight < 1 || maxWaiting < 0 || maxPrefillTokens < 1) {
                throw new IllegalArgumentException("scheduler limits must be >= 1 (max-waiting >= 0), got batch "
                        + maxBatchSize + ", tokens " + maxTokensInFlight + ", waiting " + maxWaiting + ", prefill "
                        + maxPrefillTokens);
            }
        }

        public static Options defaults() {
            return new Options(32, 32768, 256, 256);
        }
    }

    /** Receives one request's output on the scheduler thread; must be quick and must not block. */
    public interface Listener {

        /** A new token of sequence {@code index} (0 ≤ index &lt; n). */
        void onToken(int index, GeneratedToken token);

        /**
         * Sequence {@code index} finished; {@code textDelta} is the text released only now (held-back characters),
         * usually "".
         */
        default void onFinish(int index, GenerationResult result, String textDelta) {}

        /** Polled before every step: true frees the request's rows (or drops it while it waits). */
        default boolean isCancelled() {
            return false;
        }
    }

    /** Hooks for metrics, called on the scheduler thread. */
    public interface Observer {
        Observer NONE = new Observer() {};

        /** One batched decode step of {@code rows} rows took {@code nanos}. */
        default void onDecodeStep(int rows, long nanos) {}

        /** A request's prompt was prefilled. */
        default void onPrefill(int promptTokens, long nanos) {}

        /** A sequence's first token, {@code nanos} after its request was submitted. */
        default void onFirstToken(long nanos) {}

        /** A later token, {@code nanos} after the sequence's previous one. */
        default void onInterToken(long nanos) {}

        /** A request finished (all of its sequences). */
        default void onRequestFinished(int promptTokens, int generatedTokens, long nanos) {}
    }

    /** A submitted request: its results when every sequence finished, and a way to stop it. Thread-safe. */
    public static final class Handle {
        private final Request request;

        private Handle(Request request) {
            this.request = request;
        }

        /** Stops the request at the next step (or before it runs); its sequences finish with CANCELLED. */
        public void cancel() {
            request.cancelled = true;
            request.owner.wake();
        }

        /** One result per sequence, in index order; completes exceptionally if ONNX Runtime fails. */
        public CompletableFuture<List<GenerationResult>> results() {
            return request.done;
        }
    }

    private final String name;
    private final OnnxModel model;
    private final ModelInfo info;
    private final Options options;
    private final Observer observer;
    private final KvNames names;
    private final KvBatch kv;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Request> waiting = new ArrayDeque<>(); // guarded by lock
    private final List<Seq> slots = new ArrayList<>(); // scheduler thread only: row b = slots.get(b)
    private final Thread thread;
    private final float[] scores;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private FloatBuffer logits; // (B, 1, V) of decode steps
    private ByteBuffer logitsMemory; // what logits views, freed when replaced and when the thread stops
    private int tokensInFlight; // scheduler thread only
    private volatile int runningRows;
    private volatile int waitingRequests;
    private int waitingRows; // guarded by lock: sequences of the waiting requests
    private volatile boolean closed; // written under lock; read by the scheduler thread between steps

    public BatchScheduler(OnnxModel model, Options options, Observer observer) {
        this(model.dir().getFileName().toString(), model, options, observer);
    }

    /** @param name the model's name in messages and the thread's name, e.g. "job-7" */
    public BatchScheduler(String name, OnnxModel model, Options options, Observer observer) {
        this.name = name;
        this.model = model;
        this.info = model.info();
        this.options = options;
        this.observer = observer == null ? Observer.NONE : observer;
        this.names = model.kvNames();
        this.kv = new KvBatch(info.layers(), info.heads(), info.headSize());
        this.scores = new float[info.vocabSize()];
        this.thread = new Thread(this::loop, "kotune-scheduler-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a request of {@code params.n()} sequences. Validates it against the model first.
     *
     * @param detokenizer for text, streaming and stop strings; null: ids only
     * @throws InvalidParamsException when the request does not fit the model (canonical field names)
     * @throws QueueFullException     when {@link Options#maxWaiting()} requests wait already
     * @throws IllegalStateException  when the scheduler is closed
     */
    public Handle submit(int[] prompt, SamplingParams params, Detokenizer detokenizer, Listener listener) {
        scoresOnly(params);
        params.checkFits(info, prompt);
        Request r = new Request(this, prompt.clone(), params, detokenizer, listener);
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the scheduler of model " + name + " no longer takes requests");
            }
            boolean fitsNow = runningRows + waitingRows + r.params.n() <= options.maxBatchSize();
            if (!fitsNow && waiting.size() >= options.maxWaiting()) {
                throw new QueueFullException(
                        "model " + name + " is busy: " + runningRows + " sequences running and "
                                + waiting.size() + " requests waiting (max-batch-size " + options.maxBatchSize()
                                + ", max-waiting " + options.maxWaiting() + "); retry later",
                        retryAfterSeconds());
            }
            waiting.addLast(r);
            waitingRows += r.params.n();
            waitingRequests = waiting.size();
            work.signal();
        } finally {
            lock.unlock();
        }
        return new Handle(r);
    }

    /** A score-only request (max_new_tokens 0 with prompt_logprobs) generates nothing: {@link PromptLogprobs}. */
    static void scoresOnly(SamplingParams params) {
        if (params.maxNewTokens() != null && params.maxNewTokens() == 0) {
            throw new IllegalArgumentException(
                    "max_new_tokens 0 generates nothing: score the prompt with PromptLogprobs.score instead");
        }
    }

    /** Sequences in the running batch now. */
    public int running() {
        return runningRows;
    }

    /** Requests waiting for admission now. */
    public int waiting() {
        return waitingRequests;
    }

    /** Cancels everything and stops the thread (waits for it). */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true; // the scheduler thread drops what waits and cancels what runs, then stops
            work.signal();
        } finally {
            lock.unlock();
        }
        stopped.join();
    }

    private void wake() {
        lock.lock();
        try {
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    private int retryAfterSeconds() {
        return Math.max(1, (int) Math.ceil(waiting.size() / (double) Math.max(1, options.maxBatchSize())));
    }

    // ---------------------------------------------------------------- the scheduler thread

    private void loop() {
        try {
            while (true) {
                List<Request> joiners = new ArrayList<>();
                List<Request> dropped = new ArrayList<>();
                lock.lock();
                try {
                    while (slots.isEmpty() && waiting.isEmpty() && !closed) {
                        work.awaitUninterruptibly();
                    }
                    if (slots.isEmpty() && waiting.isEmpty()) {
                        return; // closed and nothing left
                    }
                    admit(joiners, dropped);
                } finally {
                    lock.unlock();
                }
                for (Request r : dropped) {
                    r.cancelWaiting();
                }
                try {
                    dropCancelled();
                    for (Request r : joiners) {
                        join(r);
                    }
                    if (!slots.isEmpty()) {
                        decodeStep();
                    }
                } catch (OrtException | RuntimeException e) {
                    failAll(joiners, e);
                }
            }
        } catch (Throwable t) {
            LOG.error("scheduler of {} died", model.dir(), t);
            failAll(List.of(), t);
            throw t;
        } finally {
            lock.lock();
            try {
                closed = true;
                waiting.forEach(r -> r.fail(new IllegalStateException("the scheduler stopped")));
                waiting.clear();
                waitingRequests = 0;
                waitingRows = 0;
            } finally {
                lock.unlock();
            }
            releaseMemory();
            stopped.complete(null);
        }
    }

    /** The thread is stopping: the KV cache and logits go back to the system now, not at some later GC. */
    private void releaseMemory() {
        kv.release();
        NativeBuffers.free(logitsMemory);
        logitsMemory = null;
        logits = null;
    }

    /** Moves admissible requests (FCFS) from the queue into {@code joiners}; cancelled ones into {@code dropped}. */
    private void admit(List<Request> joiners, List<Request> dropped) {
        int rows = slots.size();
        long tokens = tokensInFlight;
        int prefill = 0;
        for (Iterator<Request> it = waiting.iterator(); it.hasNext(); ) {
            Request r = it.next();
            if (r.isCancelled() || closed) {
                it.remove();
                waitingRows -= r.params.n();
                dropped.add(r);
                continue;
            }
            int n = r.params.n();
            boolean first = rows == 0 && joiners.isEmpty();
            boolean fits = rows + n <= options.maxBatchSize()
                    && tokens + r.reserved <= options.maxTokensInFlight()
                    && (joiners.isEmpty() || prefill + r.prompt.length <= options.maxPrefillTokens());
            if (!fits && !first) {
                break; // FCFS: nothing overtakes the head of the queue
            }
            it.remove();
            waitingRows -= n;
            joiners.add(r);
            rows += n;
            tokens += r.reserved;
            prefill += r.prompt.length;
        }
        waitingRequests = waiting.size();
    }

    /** Prefills {@code r}'s prompt once, samples each sequence's first token and places the running ones. */
    private void join(Request r) throws OrtException {
        long t0 = System.nanoTime();
        Prefilled p = prefill(r.prompt);
        observer.onPrefill(r.prompt.length, System.nanoTime() - t0);
        tokensInFlight += r.reserved;
        int[] eos = model.eosFor(r.params);
        int pad = model.padFor(r.params);
        for (int i = 0; i < r.params.n(); i++) {
            SamplingParams rowParams = r.params.forRow(i);
            Seq s = new Seq(
                    r,
                    i,
                    new RowDecoder(
                            r.prompt, 0, r.prompt.length, pad, rowParams, eos, info.contextLength(), r.detokenizer),
                    r.reserved / r.params.n());
            System.arraycopy(p.logits, 0, scores, 0, scores.length);
            emit(s, s.decoder.next(scores));
            if (s.decoder.isFinished()) { // done at its first token: it never takes a row
                tokensInFlight -= s.reserved;
                finish(s);
                continue;
            }
            if (slots.isEmpty()) {
                kv.clear();
                kv.resize(p.length);
            } else if (p.length > kv.columns()) {
                int shift = p.length - kv.columns();
                kv.resize(p.length);
                slots.forEach(x -> x.start += shift);
            }
            int row = kv.addRow();
            kv.place(row, p.kv, p.length);
            s.start = kv.columns() - p.length;
            slots.add(s);
        }
        runningRows = slots.size();
    }

    /** The prompt's last logits and its KV cache ((1, nH, P, hs) per tensor), prefilled in chunks. */
    private Prefilled prefill(int[] prompt) throws OrtException {
        int len = prompt.length;
        int vocab = info.vocabSize();
        int chunk = model.keepsLastLogitsOnly()
                ? len // one position of logits whatever the length
                : (int) Math.max(1, Math.min(len, Generator.LOGITS_BUDGET / vocab));
        FloatBuffer buffer = model.logitBuffers().borrow((model.keepsLastLogitsOnly() ? 1 : chunk) * vocab);
        OrtSession.Result cache = null;
        try (OnnxTensor empty = OnnxTensor.createTensor(
                model.env(), FloatBuffer.allocate(0), new long[] {1, info.heads(), 0, info.headSize()})) {
            int from = 0;
            int t = 0;
            while (from < len) {
                int to = Math.min(len, from + chunk);
                t = to - from;
                long[] ids = new long[t];
                long[] pos = new long[t];
                for (int j = from; j < to; j++) {
                    ids[j - from] = prompt[j];
                    pos[j - from] = j;
                }
                long[] mask = new long[to];
                Arrays.fill(mask, 1);
                Map<String, OnnxTensorLike> in = new HashMap<>();
                List<OnnxTensor> owned = new ArrayList<>();
                try {
                    inputs(in, owned, ids, mask, pos, 1, t, to);
                    for (int i = 0; i < names.past().length; i++) {
                        in.put(
                                names.past()[i],
                                cache == null
                                        ? empty
                                        : (OnnxTensor)
                                                cache.get(names.present()[i]).orElseThrow());
                    }
                    t = model.keepLastLogits(in, t);
                    OnnxTensor out = own(
                            owned,
                            OnnxTensor.createTensor(
                                    model.env(),
                                    buffer.duplicate().clear().limit(t * vocab).slice(),
                                    new long[] {1, t, vocab}));
                    OrtSession.Result result = model.session().run(in, names.presentSet(), Map.of("logits", out));
                    if (cache != null) {
                        cache.close();
                    }
                    cache = result;
                } finally {
                    owned.forEach(OnnxTensor::close);
                }
                from = to;
            }
            float[] last = new float[vocab];
            buffer.get((t - 1) * vocab, last);
            FloatBuffer[] kvs = new FloatBuffer[names.present().length];
            for (int i = 0; i < kvs.length; i++) {
                kvs[i] = ((OnnxTensor) cache.get(names.present()[i]).orElseThrow()).getFloatBuffer();
            }
            return new Prefilled(last, kvs, len);
        } finally {
            if (cache != null) {
                cache.close();
            }
            model.logitBuffers().release(buffer);
        }
    }

    /** One token for every running row. */
    private void decodeStep() throws OrtException {
        int rows = slots.size();
        int columns = kv.columns();
        int vocab = info.vocabSize();
        long[] ids = new long[rows];
        long[] mask = new long[rows * (columns + 1)];
        long[] pos = new long[rows];
        for (int b = 0; b < rows; b++) {
            Seq s = slots.get(b);
            ids[b] = s.decoder.sequence().last();
            Arrays.fill(mask, b * (columns + 1) + s.start, (b + 1) * (columns + 1), 1);
            pos[b] = columns - s.start; // the row's own tokens before this one
        }
        if (logits == null || logits.capacity() < rows * vocab) {
            NativeBuffers.free(logitsMemory); // between steps: no tensor refers to it
            logitsMemory = NativeBuffers.allocate((long) Math.max(rows, options.maxBatchSize()) * vocab * Float.BYTES);
            logits = logitsMemory.asFloatBuffer();
        }
        Map<String, OnnxTensorLike> in = new HashMap<>();
        Map<String, OnnxValue> pinned = new HashMap<>();
        List<OnnxTensor> owned = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            inputs(in, owned, ids, mask, pos, rows, 1, columns + 1);
            model.keepLastLogits(in, 1);
            long[] pastShape = {rows, info.heads(), columns, info.headSize()};
            long[] presentShape = {rows, info.heads(), columns + 1, info.headSize()};
            for (int i = 0; i < names.past().length; i++) {
                in.put(names.past()[i], own(owned, OnnxTensor.createTensor(model.env(), kv.past(i), pastShape)));
                pinned.put(
                        names.present()[i],
                        own(owned, OnnxTensor.createTensor(model.env(), kv.present(i), presentShape)));
            }
            pinned.put(
                    "logits",
                    own(
                            owned,
                            OnnxTensor.createTensor(
                                    model.env(),
                                    logits.duplicate()
                                            .clear()
                                            .limit(rows * vocab)
                                            .slice(),
                                    new long[] {rows, 1, vocab})));
            model.session().run(in, Set.of(), pinned).close();
        } finally {
            owned.forEach(OnnxTensor::close);
        }
        kv.stepped();
        observer.onDecodeStep(rows, System.nanoTime() - t0);
        List<Seq> done = new ArrayList<>();
        for (int b = 0; b < rows; b++) {
            Seq s = slots.get(b);
            logits.get(b * vocab, scores);
            emit(s, s.decoder.next(scores));
            if (s.decoder.isFinished()) {
                done.add(s);
            }
        }
        for (Seq s : done) {
            leave(s);
            finish(s);
        }
    }

    private void inputs(
            Map<String, OnnxTensorLike> in,
            List<OnnxTensor> owned,
            long[] ids,
            long[] mask,
            long[] pos,
            int rows,
            int t,
            int total)
            throws OrtException {
        in.put("input_ids", own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(ids), new long[] {rows, t
        })));
        in.put("attention_mask", own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(mask), new long[] {
            rows, total
        })));
        if (info.hasPositionIds()) {
            in.put("position_ids", own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(pos), new long[] {
                rows, t
            })));
        }
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor t) {
        owned.add(t);
        return t;
    }

    /** Cancelled requests leave the batch before the next step. */
    private void dropCancelled() {
        for (int b = slots.size() - 1; b >= 0; b--) {
            Seq s = slots.get(b);
            if (closed || s.request.isCancelled()) {
                s.decoder.finish(FinishReason.CANCELLED);
                leave(s);
                finish(s);
            }
        }
    }

    /** Frees {@code s}'s row: the last row moves into it; leading columns no row uses are trimmed. */
    private void leave(Seq s) {
        int b = slots.indexOf(s);
        int last = slots.size() - 1;
        if (b != last) {
            kv.moveRow(last, b);
            slots.set(b, slots.get(last));
        }
        slots.remove(last);
        kv.removeLastRow();
        tokensInFlight -= s.reserved;
        runningRows = slots.size();
        if (slots.isEmpty()) {
            kv.clear();
            return;
        }
        int unused = slots.stream().mapToInt(x -> x.start).min().orElse(0);
        if (unused >= 64 || (unused > 0 && 2 * unused >= kv.columns())) {
            kv.resize(kv.columns() - unused);
            slots.forEach(x -> x.start -= unused);
        }
    }

    private void emit(Seq s, GeneratedToken token) {
        long now = System.nanoTime();
        if (s.lastTokenAt == 0) {
            observer.onFirstToken(now - s.request.submitted);
        } else {
            observer.onInterToken(now - s.lastTokenAt);
        }
        s.lastTokenAt = now;
        try {
            s.request.listener.onToken(s.index, token);
        } catch (RuntimeException e) {
            LOG.warn("a token listener failed; cancelling its request", e);
            s.request.cancelled = true;
        }
    }

    private void finish(Seq s) {
        Request r = s.request;
        GenerationResult result = s.decoder.result();
        try {
            r.listener.onFinish(s.index, result, s.decoder.finishDelta());
        } catch (RuntimeException e) {
            LOG.warn("a finish listener failed", e);
        }
        r.results[s.index] = result;
        r.generated += result.tokenIds().length;
        if (--r.remaining == 0) {
            observer.onRequestFinished(r.prompt.length, r.generated, System.nanoTime() - r.submitted);
            r.done.complete(List.of(r.results));
        }
    }

    private void failAll(List<Request> joiners, Throwable e) {
        LOG.warn("generation failed on {}: {}", model.dir(), e.toString());
        for (Seq s : slots) {
            s.request.fail(e);
        }
        joiners.forEach(r -> r.fail(e));
        slots.clear();
        kv.clear();
        tokensInFlight = 0;
        runningRows = 0;
    }

    private record Prefilled(float[] logits, FloatBuffer[] kv, int length) {}

    /** One submit: n sequences of one prompt. */
    private static final class Request {
        final BatchScheduler owner;
        final int[] prompt;
        final SamplingParams params;
        final Detokenizer detokenizer;
        final Listener listener;
        final int reserved;
        final long submitted = System.nanoTime();
        final CompletableFuture<List<GenerationResult>> done = new CompletableFuture<>();
        final GenerationResult[] results;
        int remaining;
        int generated;
        volatile boolean cancelled;

        Request(BatchScheduler owner, int[] prompt, SamplingParams params, Detokenizer detokenizer, Listener listener) {
            this.owner = owner;
            this.prompt = prompt;
            this.params = params;
            this.detokenizer = detokenizer;
            this.listener = listener;
            this.reserved = params.n() * Math.min(params.maxTotalLength(prompt.length), owner.info.contextLength());
            this.results = new GenerationResult[params.n()];
            this.remaining = params.n();
        }

        boolean isCancelled() {
            if (cancelled) {
                return true;
            }
            try {
                return listener.isCancelled();
            } catch (RuntimeException e) {
                return true;
            }
        }

        /** Dropped before it ran: every sequence finishes CANCELLED with no tokens. */
        void cancelWaiting() {
            for (int i = 0; i < results.length; i++) {
                results[i] = new GenerationResult(
                        prompt,
                        new int[0],
                        detokenizer == null ? null : "",
                        FinishReason.CANCELLED,
                        params.logprobs() != null ? new float[0] : null);
                try {
                    listener.onFinish(i, results[i], "");
                } catch (RuntimeException e) {
                    LOG.warn("a finish listener failed", e);
                }
            }
            done.complete(List.of(results));
        }

        void fail(Throwable e) {
            done.completeExceptionally(e);
        }
    }

    /** One running sequence. */
    private static final class Seq {
        final Request request;
        final int index;
        final RowDecoder decoder;
        final int reserved;
        int start; // first valid KV column of its row
        long lastTokenAt; // nanoTime of its previous token, 0 before the first

        Seq(Request request, int index, RowDecoder decoder, int reserved) {
            this.request = request;
            this.index = index;
            this.decoder = decoder;
            this.reserved = reserved;
        }
    }
}
