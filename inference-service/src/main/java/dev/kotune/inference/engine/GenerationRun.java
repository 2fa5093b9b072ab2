package dev.kotune.inference.engine;

import ai.onnxruntime.OrtException;
import dev.kotune.engine.GenerationConfig;
import dev.kotune.engine.Generator;
import dev.kotune.engine.TokenListener;
import dev.kotune.engine.text.TokenizerStream;
import dev.kotune.inference.GenerationListener;
import dev.kotune.inference.domain.Completion;
import dev.kotune.inference.domain.CompletionChunk;
import dev.kotune.inference.domain.FinishReason;
import dev.kotune.inference.domain.GenerationRequest;
import dev.kotune.inference.domain.GenerationSettings;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.InvalidRequestException.Problem;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.TokenLogprob;
import dev.kotune.inference.domain.Usage;
import dev.kotune.tokenization.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * One request's generation on a loaded model: tokenize the prompt, check it against the model's context, then the
 * small explicit loop {@code while (!done) generator.step()} with the engine's {@link Generator} (which owns the KV
 * cache and is closed at the end). Each step's token goes through the UTF-8-safe {@link TokenizerStream} and the
 * {@link StopStrings}, and the listener gets one chunk per token (text that became final, the id, its log-probability
 * when asked). Between steps the client's cancellation is checked, so a cancelled request stops at the next token.
 * Not thread-safe: one per request, on the request's thread.
 */
final class GenerationRun {

    private final LoadedModel model;
    private final GenerationRequest request;
    private final GenerationListener listener;

    GenerationRun(LoadedModel model, GenerationRequest request, GenerationListener listener) {
        this.model = model;
        this.request = request;
        this.listener = listener;
    }

    Completion run() throws OrtException {
        long start = System.nanoTime();
        GenerationSettings s = request.settings();
        int[] prompt = promptIds(request.prompt());
        checkLengths(prompt, s);
        GenerationConfig config = EngineConfigs.of(s, padTokenId());
        TokenizerStream stream = new TokenizerStream(model.detokenizer(), prompt);
        StopStrings stops = new StopStrings(s.stop());
        int[] last = {-1};
        TokenListener tokens = (row, tokenId, ignored) -> last[0] = tokenId;
        List<Integer> ids = new ArrayList<>();
        List<TokenLogprob> logprobs = new ArrayList<>();
        long firstToken = 0;
        FinishReason reason;
        try (Generator g = model.onnx().generator(List.of(prompt), config, null, tokens)) {
            while (true) {
                if (listener.isCancelled()) {
                    reason = FinishReason.CANCELLED;
                    break;
                }
                g.step();
                if (ids.isEmpty()) {
                    firstToken = System.nanoTime() - start;
                }
                int id = last[0];
                ids.add(id);
                List<TokenLogprob> stepLogprobs = List.of();
                if (s.logprobs() != null) {
                    float[] all = g.results().get(0).logprobs(); // (generated,): log p of each chosen token
                    stepLogprobs = List.of(new TokenLogprob(id, model.detokenizer().piece(id), all[all.length - 1],
                            List.of()));
                    logprobs.addAll(stepLogprobs);
                }
                String delta = stops.append(stream.put(id));
                if (!stops.matched() && g.isDone()) {
                    delta += stops.append(stream.flush());
                    delta += stops.finish();
                }
                listener.onChunk(new CompletionChunk(delta, List.of(id), stepLogprobs));
                if (stops.matched()) {
                    reason = FinishReason.STOP;
                    break;
                }
                if (g.isDone()) {
                    reason = g.finishReason(0) == dev.kotune.engine.FinishReason.EOS ? FinishReason.EOS
                            : FinishReason.LENGTH;
                    break;
                }
            }
        }
        long total = System.nanoTime() - start;
        return new Completion(model.info().id(), stops.text(), ids, reason,
                new Usage(prompt.length, ids.size(), firstToken / 1e6, total / 1e6), logprobs);
    }

    private int[] promptIds(Prompt p) {
        if (p.isIds()) {
            return p.ids().stream().mapToInt(Integer::intValue).toArray();
        }
        int[] ids;
        try {
            ids = model.tokenizer().encodeIds(p.text());
        } catch (InvalidInputException e) {
            throw invalid("text", e.getMessage());
        }
        if (ids.length == 0) {
            throw invalid("text", "encodes to no tokens with the model's tokenizer");
        }
        return ids;
    }

    /** HF's rules that need the prompt's length, with the proto's ranges. Canonical field names. */
    private void checkLengths(int[] prompt, GenerationSettings s) {
        String id = model.info().id();
        int context = model.onnx().info().contextLength();
        int length = prompt.length;
        if (length >= context) {
            throw invalid(request.prompt().isIds() ? "ids" : "text", "is " + length + " tokens long but model " + id
                    + " has a context of " + context + " tokens: at most " + (context - 1) + " leave room to"
                    + " generate");
        }
        if (s.maxNewTokens() != null) {
            if (s.maxNewTokens() > context - length) {
                throw invalid("max_new_tokens", "must be in [1, " + context + " - prompt_length " + length + " = "
                        + (context - length) + "] for model " + id + ", got " + s.maxNewTokens());
            }
        } else if (s.effectiveMaxLength() <= length) {
            throw invalid("max_length", "must be in [prompt_length + 1 = " + (length + 1) + ", " + context
                    + "] for model " + id + ", got " + s.effectiveMaxLength()
                    + (s.maxLength() == null ? " (the default; set max_new_tokens instead)" : ""));
        }
    }

    private Integer padTokenId() {
        var info = model.onnx().info();
        return info.padTokenId() != null ? info.padTokenId()
                : info.eosTokenIds().isEmpty() ? Integer.valueOf(0) : info.eosTokenIds().get(0);
    }

    private static InvalidRequestException invalid(String field, String message) {
        return new InvalidRequestException(List.of(new Problem(field, message)));
    }
}
