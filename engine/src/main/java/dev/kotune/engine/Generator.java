package dev.kotune.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kotune.engine.text.Detokenizer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates for a batch of prompts with Hugging Face {@code generate()} semantics; {@link #step()} is one forward pass
 * and one new token per row. Prompts are left-padded (attention mask 0, position ids {@code cumsum(mask) - 1}); each
 * step runs the ONNX decoder on the new tokens with the KV cache, takes the last position's fp32 logits, applies the
 * logits processors in HF's order, samples, appends, and checks the stop conditions; a finished row keeps receiving
 * the pad id (as in HF) until every row is done.
 *
 * <p>State it mutates: the KV cache — the previous step's {@code present.*} tensors, fed back as
 * {@code past_key_values.*} without copying to Java — plus the token rows, streams and the pinned logits buffer
 * (a direct buffer ONNX Runtime writes into). The prompt is prefilled in chunks when one pass's logits would exceed
 * {@link #LOGITS_BUDGET} floats. Not thread-safe; {@link AutoCloseable}: close it to free the native cache.
 */
public final class Generator implements AutoCloseable {

    /** Max floats of logits one forward pass may write (B·T·V), e.g. 16M = 64 MB; longer prompts prefill in chunks. */
    public static final long LOGITS_BUDGET = 16L << 20;

    private final OnnxModel model;
    private final ModelInfo info;
    private final int batch;
    private final RowDecoder[] rows;
    private final TokenListener listener;
    private final int padId;
    private final int promptLength;
    private final int chunk;
    private final FloatBuffer logitsBuffer;
    private final OnnxTensor emptyPast;
    private final float[] scores;
    private final KvNames names;
    private final long start = System.nanoTime();
    private OrtSession.Result cache; // previous step's outputs: owns present.{i}.key/value
    private int cached; // positions held in the cache
    private int steps;
    private long firstToken;
    private long last;
    private long forwardNanos;
    private boolean closed;
    private int running;

    Generator(
            OnnxModel model,
            List<int[]> promptList,
            SamplingParams config,
            Detokenizer detokenizer,
            TokenListener listener)
            throws OrtException {
        this(model, promptList, config, detokenizer, listener, LOGITS_BUDGET);
    }

    /** @param logitsBudget max B·T·V floats per forward pass (smaller → more prefill chunks) */
    Generator(
            OnnxModel model,
            List<int[]> promptList,
            SamplingParams config,
            Detokenizer detokenizer,
            TokenListener listener,
            long logitsBudget)
            throws OrtException {
        if (promptList.isEmpty()) {
            throw new IllegalArgumentException("at least one prompt is required");
        }
        BatchScheduler.scoresOnly(config);
        this.model = model;
        this.info = model.info();
        this.batch = promptList.size();
        int longest = 0;
        for (int[] p : promptList) {
            config.checkFits(info, p);
            longest = Math.max(longest, p.length);
        }
        this.promptLength = longest;
        int[] eos = model.eosFor(config);
        this.padId = model.padFor(config);
        this.rows = new RowDecoder[batch];
        for (int b = 0; b < batch; b++) {
            int[] p = promptList.get(b);
            rows[b] = new RowDecoder(
                    p, longest - p.length, longest, padId, config, eos, info.contextLength(), detokenizer);
        }
        this.running = batch;
        this.listener = listener;
        long perPosition = (long) batch * info.vocabSize();
        // chunks bound the logits of one pass; a graph with logits_to_keep writes one position per row whatever T is
        this.chunk = model.keepsLastLogitsOnly()
                ? longest
                : (int) Math.max(1, Math.min(longest, logitsBudget / perPosition));
        long positions = model.keepsLastLogitsOnly() ? 1 : chunk; // logits per row of one pass
        this.logitsBuffer = model.logitBuffers().borrow(Math.toIntExact(perPosition * positions)); // returned on close
        this.emptyPast = OnnxTensor.createTensor(
                model.env(),
                FloatBuffer.allocate(0),
                new long[] {batch, info.heads(), 0, info.headSize()}); // (B, nH, 0, hs)
        this.scores = new float[info.vocabSize()];
        this.names = model.kvNames();
    }

    /** True when every row has finished. */
    public boolean isDone() {
        return running == 0;
    }

    /** One forward pass (the whole prompt on the first call) and one token per row. */
    public void step() throws OrtException {
        if (isDone()) {
            throw new IllegalStateException("generation is finished");
        }
        int len = rows[0].sequence().length();
        int from = cached;
        while (len - from > chunk) { // prefill the prompt in chunks; only the last chunk's logits are used
            forward(from, from + chunk);
            from += chunk;
        }
        int t = forward(from, len); // logits positions per row (1 with logits_to_keep)
        steps++;
        if (steps == 1) {
            firstToken = System.nanoTime() - start;
        }
        for (int b = 0; b < batch; b++) {
            RowDecoder row = rows[b];
            if (row.isFinished()) {
                row.appendFiller(padId);
                continue;
            }
            logitsBuffer.get((b * t + t - 1) * info.vocabSize(), scores); // last position of row b: (V,)
            GeneratedToken token = row.next(scores);
            if (listener != null) {
                listener.onToken(b, token.id(), token.textDelta());
            }
            if (row.isFinished()) {
                running--;
                if (listener != null) {
                    listener.onFinish(b, row.finishReason(), row.finishDelta());
                }
            }
        }
        last = System.nanoTime() - start;
    }

    /**
     * Runs positions [from, to) of every row with the cache; logits land in {@link #logitsBuffer}: the last position
     * only when the graph takes logits_to_keep. Returns the positions of logits per row.
     */
    private int forward(int from, int to) throws OrtException {
        int t = to - from;
        long[] ids = new long[batch * t];
        long[] mask = new long[batch * to];
        long[] pos = new long[batch * t];
        for (int b = 0; b < batch; b++) {
            TokenSequence row = rows[b].sequence();
            int pad = row.padding();
            for (int j = 0; j < to; j++) {
                mask[b * to + j] = j < pad ? 0 : 1;
            }
            for (int j = from; j < to; j++) {
                ids[b * t + j - from] = row.get(j);
                pos[b * t + j - from] = Math.max(0, j - pad); // cumsum(mask) - 1; pad slots 0 (HF 5)
            }
        }
        Map<String, OnnxTensorLike> in = new HashMap<>();
        Map<String, OnnxValue> pinned = new HashMap<>();
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            in.put("input_ids", own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(ids), new long[] {
                batch, t
            })));
            in.put("attention_mask", own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(mask), new long[] {
                batch, to
            })));
            if (info.hasPositionIds()) {
                in.put(
                        "position_ids",
                        own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(pos), new long[] {batch, t})));
            }
            for (int i = 0; i < names.past().length; i++) {
                in.put(names.past()[i], past(names.present()[i]));
            }
            int kept = model.keepLastLogits(in, t);
            FloatBuffer view = logitsBuffer
                    .duplicate()
                    .clear()
                    .limit(batch * kept * info.vocabSize())
                    .slice();
            pinned.put("logits", own(owned, OnnxTensor.createTensor(model.env(), view, new long[] {
                batch, kept, info.vocabSize()
            }))); // (B, T', V), written in place by ORT
            long t0 = System.nanoTime();
            OrtSession.Result result = model.session().run(in, names.presentSet(), pinned);
            forwardNanos += System.nanoTime() - t0;
            if (cache != null) {
                cache.close(); // the previous presents were this run's pasts: no longer needed
            }
            cache = result;
            cached = to;
            return kept;
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    private OnnxTensorLike past(String presentName) {
        if (cache == null) {
            return emptyPast;
        }
        return (OnnxTensor) cache.get(presentName)
                .orElseThrow(() -> new IllegalStateException("model output '" + presentName + "' missing"));
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor t) {
        owned.add(t);
        return t;
    }

    /** Results in prompt order; call when {@link #isDone()}. */
    public List<GenerationResult> results() {
        List<GenerationResult> out = new ArrayList<>(batch);
        for (RowDecoder row : rows) {
            out.add(row.result());
        }
        return out;
    }

    /** Tokens generated for row {@code b} so far (without the pad fillers after it finished). */
    public int[] generated(int b) {
        return rows[b].generated();
    }

    public FinishReason finishReason(int b) {
        return rows[b].finishReason();
    }

    public GenerationStats stats() {
        return new GenerationStats(batch, promptLength, steps, firstToken, last, forwardNanos);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cache != null) {
            cache.close();
            cache = null;
        }
        emptyPast.close();
        model.logitBuffers().release(logitsBuffer);
    }
}
