package dev.kotune.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kotune.engine.sample.Sampler;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Log-probabilities of a prompt's own tokens, for {@link SamplingParams#promptLogprobs()} (vLLM's
 * {@code prompt_logprobs}, OpenAI's {@code echo} with {@code logprobs}): one forward pass over the whole prompt with
 * the logits of every position ({@code logits_to_keep = 0} on kotune exports, whose generation passes keep only
 * the last), then {@code log_softmax} of position {@code i - 1}'s raw logits scores token {@code i}. As in vLLM the
 * scores are the model's raw distribution (no logits processors: they belong to sampling), and the first token has
 * none (nothing predicts it). The pass writes T·V floats of logits (200 MB for 1,024 tokens of a 51,200-token
 * vocabulary). Stateless; thread-safe as {@link OnnxModel} is.
 */
public final class PromptLogprobs {

    private PromptLogprobs() {}

    /**
     * One prompt token's score.
     *
     * @param id      the prompt token
     * @param logprob log p(id | the tokens before it)
     * @param top     the {@code n} most likely tokens at that position, best first
     */
    public record Scored(int id, float logprob, List<GeneratedToken.TopLogprob> top) {
        public Scored {
            top = List.copyOf(top);
        }
    }

    /**
     * Scores {@code prompt} (token ids) with {@code model}.
     *
     * @param top alternatives per position, in [0, {@value SamplingParams#MAX_LOGPROBS}]
     * @return {@code prompt.length - 1} entries: for tokens 1 .. length - 1 (token 0 has no score)
     */
    public static List<Scored> score(OnnxModel model, int[] prompt, int top) throws OrtException {
        if (top < 0 || top > SamplingParams.MAX_LOGPROBS) {
            throw new IllegalArgumentException("top must be in [0, " + SamplingParams.MAX_LOGPROBS + "], got " + top);
        }
        ModelInfo info = model.info();
        SamplingParams.defaults().checkFits(info, prompt);
        int t = prompt.length;
        long[] ids = new long[t];
        long[] mask = new long[t];
        long[] pos = new long[t];
        for (int j = 0; j < t; j++) {
            ids[j] = prompt[j];
            mask[j] = 1;
            pos[j] = j;
        }
        Map<String, OnnxTensorLike> in = new HashMap<>();
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            in.put("input_ids", own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(ids), new long[] {1, t
            })));
            in.put("attention_mask", own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(mask), new long[] {
                1, t
            })));
            if (info.hasPositionIds()) {
                in.put(
                        "position_ids",
                        own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(pos), new long[] {1, t})));
            }
            OnnxTensor empty = own(owned, OnnxTensor.createTensor(model.env(), FloatBuffer.allocate(0), new long[] {
                1, info.heads(), 0, info.headSize()
            }));
            for (String past : model.kvNames().past()) {
                in.put(past, empty);
            }
            if (model.keepsLastLogitsOnly()) { // 0: the logits of every position
                in.put(
                        OnnxModel.LOGITS_TO_KEEP,
                        own(owned, OnnxTensor.createTensor(model.env(), LongBuffer.wrap(new long[] {0}), new long[] {1
                        })));
            }
            try (OrtSession.Result result = model.session().run(in, Set.of("logits"))) {
                OnnxValue value = result.get("logits").orElseThrow(() -> new IllegalStateException("no logits"));
                FloatBuffer logits = ((OnnxTensor) value).getFloatBuffer(); // (1, T, V)
                int v = info.vocabSize();
                float[] scores = new float[v];
                List<Scored> out = new ArrayList<>(Math.max(0, t - 1));
                for (int j = 1; j < t; j++) {
                    logits.position((j - 1) * v);
                    logits.get(scores);
                    Sampler.LogSoftmax ls = Sampler.LogSoftmax.of(scores);
                    out.add(new Scored(
                            prompt[j], ls.logProb(scores[prompt[j]]), RowDecoder.topLogprobs(scores, top, ls)));
                }
                return out;
            }
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor t) {
        owned.add(t);
        return t;
    }
}
