package dev.kotune.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kotune.engine.process.LogitsProcessors;
import dev.kotune.engine.sample.GreedySampler;
import dev.kotune.engine.sample.MultinomialSampler;
import dev.kotune.engine.sample.Sampler;
import dev.kotune.engine.stop.EosStop;
import dev.kotune.engine.stop.MaxLengthStop;
import dev.kotune.engine.stop.StopCondition;
import dev.kotune.engine.stop.StopStringStop;
import dev.kotune.engine.text.Detokenizer;
import dev.kotune.engine.text.TokenizerStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
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
    private final GenerationConfig config;
    private final int batch;
    private final int[][] prompts;
    private final TokenSequence[] rows;
    private final FinishReason[] finished;
    private final int[] finishedAt; // generated tokens of a row when it finished (the pad fillers come after)
    private final LogitsProcessors processors;
    private final Sampler sampler;
    private final List<StopCondition> stops = new ArrayList<>();
    private final Detokenizer detokenizer;
    private final TokenizerStream[] streams;
    private final TokenListener listener;
    private final List<float[]> logprobs;
    private final int padId;
    private final int promptLength;
    private final int chunk;
    private final FloatBuffer logitsBuffer;
    private final OnnxTensor emptyPast;
    private final float[] scores;
    private final java.util.Set<String> presentNames = new java.util.LinkedHashSet<>();
    private final String[] pastNames;    // past_key_values.{i}.key, .value, interleaved per layer
    private final String[] presentOrder; // present.{i}.key, .value, in the same order
    private final long start = System.nanoTime();
    private OrtSession.Result cache; // previous step's outputs: owns present.{i}.key/value
    private int cached;             // positions held in the cache
    private int steps;
    private long firstToken;
    private long last;
    private long forwardNanos;
    private boolean closed;
    private int running;

    Generator(OnnxModel model, List<int[]> promptList, GenerationConfig config, Detokenizer detokenizer,
              TokenListener listener) throws OrtException {
        this(model, promptList, config, detokenizer, listener, LOGITS_BUDGET);
    }

    /** @param logitsBudget max B·T·V floats per forward pass (smaller → more prefill chunks) */
    Generator(OnnxModel model, List<int[]> promptList, GenerationConfig config, Detokenizer detokenizer,
              TokenListener listener, long logitsBudget) throws OrtException {
        if (promptList.isEmpty()) {
            throw new IllegalArgumentException("at least one prompt is required");
        }
        this.model = model;
        this.info = model.info();
        this.config = config;
        this.batch = promptList.size();
        this.prompts = new int[batch][];
        int longest = 0;
        for (int b = 0; b < batch; b++) {
            prompts[b] = promptList.get(b).clone();
            if (prompts[b].length == 0) {
                throw new IllegalArgumentException("prompt " + b + " is empty; give at least one token id");
            }
            for (int id : prompts[b]) {
                if (id < 0 || id >= info.vocabSize()) {
                    throw new IllegalArgumentException("prompt " + b + " has token id " + id + " outside the vocabulary [0, "
                            + info.vocabSize() + ")");
                }
            }
            longest = Math.max(longest, prompts[b].length);
        }
        if (longest >= info.contextLength()) {
            throw new IllegalArgumentException("prompt of " + longest + " tokens leaves no room in the model's context of "
                    + info.contextLength() + " tokens; shorten it");
        }
        if (!config.stopStrings().isEmpty() && detokenizer == null) {
            throw new IllegalArgumentException("stop_strings need a detokenizer (a tokenizer to decode the text)");
        }
        this.promptLength = longest;
        int[] eos = (config.eosTokenIds().isEmpty() ? info.eosTokenIds() : config.eosTokenIds())
                .stream().mapToInt(Integer::intValue).toArray();
        this.padId = config.padTokenId() != null ? config.padTokenId()
                : info.padTokenId() != null ? info.padTokenId() : eos.length > 0 ? eos[0] : 0;
        int maxTotal = Math.min(config.maxTotalLength(longest), info.contextLength());
        this.rows = new TokenSequence[batch];
        for (int b = 0; b < batch; b++) {
            int pad = longest - prompts[b].length;
            int[] row = new int[longest];
            Arrays.fill(row, 0, pad, padId);
            System.arraycopy(prompts[b], 0, row, pad, prompts[b].length);
            rows[b] = new TokenSequence(row, pad, Math.max(maxTotal, longest + 1));
        }
        this.finished = new FinishReason[batch];
        this.finishedAt = new int[batch];
        this.running = batch;
        this.processors = LogitsProcessors.of(config, eos);
        this.sampler = config.doSample() ? new MultinomialSampler(config.seed()) : GreedySampler.INSTANCE;
        if (eos.length > 0) {
            stops.add(new EosStop(eos));
        }
        if (!config.stopStrings().isEmpty()) {
            stops.add(new StopStringStop(config.stopStrings()));
        }
        stops.add(new MaxLengthStop(maxTotal));
        this.detokenizer = detokenizer;
        this.streams = detokenizer == null ? null : new TokenizerStream[batch];
        for (int b = 0; streams != null && b < batch; b++) {
            streams[b] = new TokenizerStream(detokenizer, prompts[b]);
        }
        this.listener = listener;
        this.logprobs = config.logprobs() ? new ArrayList<>() : null;
        long perPosition = (long) batch * info.vocabSize();
        this.chunk = (int) Math.max(1, Math.min(longest, logitsBudget / perPosition));
        this.logitsBuffer = model.logitBuffers().borrow(Math.toIntExact(perPosition * chunk)); // returned on close
        this.emptyPast = OnnxTensor.createTensor(model.env(), FloatBuffer.allocate(0),
                new long[] {batch, info.heads(), 0, info.headSize()}); // (B, nH, 0, hs)
        this.scores = new float[info.vocabSize()];
        this.pastNames = new String[2 * info.layers()];
        this.presentOrder = new String[2 * info.layers()];
        for (int i = 0; i < info.layers(); i++) {
            pastNames[2 * i] = String.format(ModelInfo.PAST_KEY, i);
            pastNames[2 * i + 1] = String.format(ModelInfo.PAST_VALUE, i);
            presentOrder[2 * i] = String.format(ModelInfo.PRESENT_KEY, i);
            presentOrder[2 * i + 1] = String.format(ModelInfo.PRESENT_VALUE, i);
        }
        presentNames.addAll(List.of(presentOrder));
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
        int len = rows[0].length();
        int from = cached;
        while (len - from > chunk) { // prefill the prompt in chunks; only the last chunk's logits are used
            forward(from, from + chunk);
            from += chunk;
        }
        forward(from, len);
        int t = len - from;
        float[] stepLogprobs = logprobs == null ? null : new float[batch];
        int[] next = new int[batch];
        for (int b = 0; b < batch; b++) {
            if (finished[b] != null) {
                next[b] = padId;
                continue;
            }
            logitsBuffer.get((b * t + t - 1) * info.vocabSize(), scores); // last position of row b: (V,)
            processors.process(rows[b], scores);
            next[b] = sampler.sample(scores);
            if (stepLogprobs != null) {
                stepLogprobs[b] = Sampler.logProb(scores, next[b]);
            }
        }
        steps++;
        if (steps == 1) {
            firstToken = System.nanoTime() - start;
        }
        if (logprobs != null) {
            logprobs.add(stepLogprobs);
        }
        for (int b = 0; b < batch; b++) {
            boolean wasRunning = finished[b] == null;
            rows[b].append(next[b]);
            if (!wasRunning) {
                continue;
            }
            String delta = streams == null ? "" : streams[b].put(next[b]);
            if (listener != null) {
                listener.onToken(b, next[b], delta);
            }
            String text = streams == null ? "" : streams[b].text();
            for (StopCondition s : stops) {
                FinishReason r = s.check(rows[b], text, delta.length());
                if (r != null) {
                    finish(b, r);
                    break;
                }
            }
        }
        last = System.nanoTime() - start;
    }

    private void finish(int b, FinishReason reason) {
        finished[b] = reason;
        finishedAt[b] = rows[b].generatedCount();
        running--;
        String rest = streams == null ? "" : streams[b].flush();
        if (listener != null) {
            listener.onFinish(b, reason, rest);
        }
    }

    /** Runs positions [from, to) of every row with the cache; logits land in {@link #logitsBuffer}. */
    private void forward(int from, int to) throws OrtException {
        int t = to - from;
        long[] ids = new long[batch * t];
        long[] mask = new long[batch * to];
        long[] pos = new long[batch * t];
        for (int b = 0; b < batch; b++) {
            int pad = rows[b].padding();
            for (int j = 0; j < to; j++) {
                mask[b * to + j] = j < pad ? 0 : 1;
            }
            for (int j = from; j < to; j++) {
                ids[b * t + j - from] = rows[b].get(j);
                pos[b * t + j - from] = Math.max(0, j - pad); // cumsum(mask) - 1; pad slots 0 (HF 5)
            }
        }
        Map<String, OnnxTensorLike> in = new HashMap<>();
        Map<String, OnnxValue> pinned = new HashMap<>();
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            in.put("input_ids", own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(ids), new long[] {batch, t})));
            in.put("attention_mask", own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(mask),
                    new long[] {batch, to})));
            if (info.hasPositionIds()) {
                in.put("position_ids", own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(pos),
                        new long[] {batch, t})));
            }
            for (int i = 0; i < pastNames.length; i++) {
                in.put(pastNames[i], past(presentOrder[i]));
            }
            FloatBuffer view = logitsBuffer.duplicate().clear().limit(batch * t * info.vocabSize()).slice(); // (B, T, V)
            pinned.put("logits", own(owned, OnnxTensor.createTensor(model.env(), view,
                    new long[] {batch, t, info.vocabSize()}))); // (B, T, V), written in place by ORT
            long t0 = System.nanoTime();
            OrtSession.Result result = model.session().run(in, presentNames, pinned);
            forwardNanos += System.nanoTime() - t0;
            if (cache != null) {
                cache.close(); // the previous presents were this run's pasts: no longer needed
            }
            cache = result;
            cached = to;
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    private OnnxTensorLike past(String presentName) {
        if (cache == null) {
            return emptyPast;
        }
        return (OnnxTensor) cache.get(presentName).orElseThrow(
                () -> new IllegalStateException("model output '" + presentName + "' missing"));
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor t) {
        owned.add(t);
        return t;
    }

    /** Results in prompt order; call when {@link #isDone()}. */
    public List<GenerationResult> results() {
        List<GenerationResult> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int[] gen = generated(b);
            float[] lp = null;
            if (logprobs != null) {
                lp = new float[gen.length];
                for (int s = 0; s < gen.length; s++) {
                    lp[s] = logprobs.get(s)[b];
                }
            }
            String text = streams == null ? null : streams[b].text() + streams[b].flush();
            out.add(new GenerationResult(prompts[b], gen, text, finished[b], lp));
        }
        return out;
    }

    /** Tokens generated for row {@code b} so far (without the pad fillers after it finished). */
    public int[] generated(int b) {
        TokenSequence r = rows[b];
        int end = r.length();
        if (finished[b] != null) {
            end = r.promptLength() + finishedAt[b];
        }
        return r.slice(r.promptLength(), end);
    }

    public FinishReason finishReason(int b) {
        return finished[b];
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
