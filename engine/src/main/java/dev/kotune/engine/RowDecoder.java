package dev.kotune.engine;

import dev.kotune.engine.process.LogitsProcessors;
import dev.kotune.engine.sample.GreedySampler;
import dev.kotune.engine.sample.MultinomialSampler;
import dev.kotune.engine.sample.Sampler;
import dev.kotune.engine.stop.StopStringMatcher;
import dev.kotune.engine.text.Detokenizer;
import dev.kotune.engine.text.TokenizerStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything one sequence does after a forward pass, shared by the static {@link Generator} and the continuous
 * {@link BatchScheduler}: logits processors in HF's order, the sampler (its own seeded stream), appending, the
 * UTF-8-safe detokenizer, stop strings, and every stop rule of {@link SamplingParams} in one order: EOS (unless
 * ignore_eos), stop token ids, stop strings, length. Not thread-safe: one per sequence, on the generating thread.
 */
final class RowDecoder {

    private final TokenSequence seq;
    private final SamplingParams params;
    private final LogitsProcessors processors;
    private final Sampler sampler;
    private final int[] eos;
    private final int[] stopIds;
    private final int maxTotal;
    private final TokenizerStream stream;
    private final StopStringMatcher matcher;
    private final List<Float> logprobs;
    private final int[] prompt;
    private FinishReason finished;
    private int finishedAt;
    private String finishDelta = "";

    /**
     * @param prompt     the prompt, unpadded
     * @param padding    left-pad slots before it in the batch row (0 outside a static batch)
     * @param rowLength  the padded prompt length (prompt + padding)
     * @param padId      the id of the pad slots
     * @param eos        the resolved EOS ids (the request's, else the model's)
     */
    RowDecoder(
            int[] prompt,
            int padding,
            int rowLength,
            int padId,
            SamplingParams params,
            int[] eos,
            int contextLength,
            Detokenizer detokenizer) {
        this.prompt = prompt.clone();
        int[] row = new int[rowLength];
        Arrays.fill(row, 0, padding, padId);
        System.arraycopy(prompt, 0, row, padding, prompt.length);
        int maxTotal = Math.min(params.maxTotalLength(rowLength), contextLength);
        this.seq = new TokenSequence(row, padding, Math.max(maxTotal, rowLength + 1));
        this.maxTotal = maxTotal;
        this.params = params;
        this.eos = params.ignoreEos() ? new int[0] : eos.clone();
        this.stopIds =
                params.stopTokenIds().stream().mapToInt(Integer::intValue).toArray();
        int[] banned = concat(this.eos, stopIds); // min_length / min_new_tokens keep every stopping token away
        this.processors = LogitsProcessors.of(params, banned);
        this.sampler = params.doSample() ? new MultinomialSampler(params.seed()) : GreedySampler.INSTANCE;
        if (!params.stopStrings().isEmpty() && detokenizer == null) {
            throw new IllegalArgumentException("stop strings need a detokenizer (a tokenizer to decode the text)");
        }
        this.stream = detokenizer == null ? null : new TokenizerStream(detokenizer, prompt);
        this.matcher = new StopStringMatcher(params.stopStrings(), params.includeStopStrInOutput());
        this.logprobs = params.logprobs() != null ? new ArrayList<>() : null;
    }

    /** Processes {@code scores} (modified in place), samples, appends and applies the stop rules. */
    GeneratedToken next(float[] scores) {
        processors.process(seq, scores);
        int id = sampler.sample(scores);
        float lp = Float.NaN;
        List<GeneratedToken.TopLogprob> top = List.of();
        if (logprobs != null) {
            Sampler.LogSoftmax logSoftmax = Sampler.LogSoftmax.of(scores); // one pass for the token and its rivals
            lp = logSoftmax.logProb(scores[id]);
            logprobs.add(lp);
            top = topLogprobs(scores, params.logprobs(), logSoftmax);
        }
        seq.append(id);
        String delta = stream == null ? "" : matcher.append(stream.put(id));
        FinishReason reason = matcher.matched()
                ? FinishReason.STOP_STRING
                : contains(eos, id)
                        ? FinishReason.EOS
                        : contains(stopIds, id)
                                ? FinishReason.STOP_TOKEN
                                : seq.length() >= maxTotal ? FinishReason.LENGTH : null;
        if (reason != null) {
            finish(reason);
        }
        return new GeneratedToken(id, delta, lp, top);
    }

    /** Ends the sequence now (cancelled, or a rule outside the row); releases the text held back. */
    void finish(FinishReason reason) {
        if (finished != null) {
            return;
        }
        finished = reason;
        finishedAt = seq.generatedCount();
        if (stream != null && reason != FinishReason.STOP_STRING) {
            finishDelta = matcher.append(stream.flush()) + matcher.finish();
        }
    }

    /** Keeps a finished row rectangular in a static batch (HF appends pad ids). */
    void appendFiller(int padId) {
        seq.append(padId);
    }

    boolean isFinished() {
        return finished != null;
    }

    FinishReason finishReason() {
        return finished;
    }

    /** The text released when the row finished (held-back characters), "" before. */
    String finishDelta() {
        return finishDelta;
    }

    TokenSequence sequence() {
        return seq;
    }

    int generatedCount() {
        return finished != null ? finishedAt : seq.generatedCount();
    }

    int[] generated() {
        return seq.slice(seq.promptLength(), seq.promptLength() + generatedCount());
    }

    GenerationResult result() {
        float[] lp = null;
        if (logprobs != null) {
            lp = new float[logprobs.size()];
            for (int i = 0; i < lp.length; i++) {
                lp[i] = logprobs.get(i);
            }
        }
        return new GenerationResult(prompt, generated(), stream == null ? null : matcher.text(), finished, lp);
    }

    /** The {@code n} highest processed scores as log-probabilities, best first (ties: lower id first). */
    static List<GeneratedToken.TopLogprob> topLogprobs(float[] scores, int n, Sampler.LogSoftmax logSoftmax) {
        if (n <= 0) {
            return List.of();
        }
        int[] best = new int[n];
        int size = 0;
        for (int i = 0; i < scores.length; i++) { // insertion into a short sorted list: n <= 20
            if (scores[i] == Float.NEGATIVE_INFINITY || (size == n && scores[i] <= scores[best[size - 1]])) {
                continue;
            }
            int at = size < n ? size++ : size - 1;
            while (at > 0 && scores[best[at - 1]] < scores[i]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        List<GeneratedToken.TopLogprob> out = new ArrayList<>(size);
        for (int k = 0; k < size; k++) {
            out.add(new GeneratedToken.TopLogprob(best[k], logSoftmax.logProb(scores[best[k]])));
        }
        return out;
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
