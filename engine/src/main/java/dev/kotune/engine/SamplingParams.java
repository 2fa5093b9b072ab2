package dev.kotune.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one generation contract: what to generate and when to stop, with Hugging Face {@code generate()} semantics,
 * kotune's defaults and limits, and the validation every edge (REST, gRPC, training-job evaluation, CLI) relies on.
 * Edges map their fields onto the {@link Builder} (null = not given) and report {@link InvalidParamsException}'s
 * problems in their own error format; they never re-state a rule. Modelled on vLLM's {@code SamplingParams}.
 * Immutable, thread-safe.
 *
 * <p>Stop rules, all owned here and applied by the engine: EOS ({@code eos_token_ids}, kept in the output, off with
 * {@code ignore_eos}), {@code stop_token_ids} (kept in the output), {@code stop} strings (cut from the text unless
 * {@code include_stop_str_in_output}; a stream never shows a piece of one), and length ({@code max_new_tokens} wins
 * over {@code max_length}, both capped by the model's context).
 *
 * @param maxLength              prompt + new tokens, [1, context]; default {@value #DEFAULT_MAX_LENGTH} (the notebook's;
 *                               HF's own default is 20); ignored when {@code maxNewTokens} is set
 * @param maxNewTokens           new tokens, [1, context - prompt_length]; null: use {@code maxLength}
 * @param minLength              prompt + new tokens before EOS may be chosen, &gt;= 0
 * @param minNewTokens           new tokens before EOS may be chosen, [0, max_new_tokens]
 * @param doSample               false: greedy (argmax); true: multinomial draw after temperature/top-k/top-p
 * @param temperature            [0, {@value #MAX_TEMPERATURE}], e.g. 0.3; 0 means greedy; used only when sampling
 * @param topK                   [0, vocab_size], 0 disables; default 50 (HF's), used only when sampling
 * @param topP                   (0, 1], 1 disables; used only when sampling
 * @param repetitionPenalty      (0, {@value #MAX_REPETITION_PENALTY}], 1 disables
 * @param noRepeatNgramSize      [0, {@value #MAX_NO_REPEAT_NGRAM}], 0 disables
 * @param frequencyPenalty       OpenAI's: [-{@value #MAX_OPENAI_PENALTY}, {@value #MAX_OPENAI_PENALTY}], subtracted once per
 *                               time a token was generated already; 0 disables
 * @param presencePenalty        OpenAI's: same range, subtracted once from every token generated already; 0 disables
 * @param logitBias              OpenAI's: token id → bias in [-{@value #MAX_LOGIT_BIAS}, {@value #MAX_LOGIT_BIAS}]
 *                               added to its score before the other processors, at most
 *                               {@value #MAX_LOGIT_BIAS_ENTRIES} ids
 * @param eosTokenIds            tokens that finish a sequence; empty: the model's EOS
 * @param ignoreEos              true: EOS does not stop (nor is it banned); generation runs to a length or stop rule
 * @param stopTokenIds           more tokens that finish a sequence (kept in the output), at most {@value #MAX_STOP}
 * @param padTokenId             left-padding and filler id; null: the model's pad (else its EOS)
 * @param stopStrings            at most {@value #MAX_STOP} strings of 1..{@value #MAX_STOP_CHARS} chars
 * @param includeStopStrInOutput keep the matched stop string at the end of the text (vLLM's flag); default false
 * @param seed                   makes sampling reproducible within kotune, whatever else is in the batch; null: random
 * @param logprobs               null: none; N in [0, {@value #MAX_LOGPROBS}]: each chosen token's log-probability
 *                               under the processed distribution plus the N most likely alternatives
 * @param n                      sequences per prompt, [1, {@value #MAX_N}] (row i samples with seed + i)
 * @param promptLogprobs         vLLM's prompt_logprobs: null: none; N in [0, {@value #MAX_LOGPROBS}]: each prompt
 *                               token's log-probability under the model's raw distribution plus the N most likely
 *                               alternatives ({@link PromptLogprobs}); with it, max_new_tokens may be 0 (score the
 *                               prompt, generate nothing: such a request is not given to a generator)
 */
public record SamplingParams(
        int maxLength,
        Integer maxNewTokens,
        int minLength,
        int minNewTokens,
        boolean doSample,
        double temperature,
        int topK,
        double topP,
        double repetitionPenalty,
        int noRepeatNgramSize,
        double frequencyPenalty,
        double presencePenalty,
        Map<Integer, Double> logitBias,
        List<Integer> eosTokenIds,
        boolean ignoreEos,
        List<Integer> stopTokenIds,
        Integer padTokenId,
        List<String> stopStrings,
        boolean includeStopStrInOutput,
        Long seed,
        Integer logprobs,
        int n,
        Integer promptLogprobs) {

    /** max_length when neither max_length nor max_new_tokens is given: the notebook's 64 (HF's is 20). */
    public static final int DEFAULT_MAX_LENGTH = 64;
    /** HF's top_k default (active only when sampling). */
    public static final int DEFAULT_TOP_K = 50;

    public static final double MAX_TEMPERATURE = 100;
    public static final double MAX_REPETITION_PENALTY = 10;
    public static final int MAX_NO_REPEAT_NGRAM = 16;
    /** At most this many stop strings, and this many stop token ids. */
    public static final int MAX_STOP = 8;

    public static final int MAX_STOP_CHARS = 256;
    public static final int MAX_LOGPROBS = 20;
    public static final int MAX_N = 16;
    public static final double MAX_OPENAI_PENALTY = 2;
    public static final double MAX_LOGIT_BIAS = 100;
    public static final int MAX_LOGIT_BIAS_ENTRIES = 1024;

    public SamplingParams {
        eosTokenIds = List.copyOf(eosTokenIds);
        stopTokenIds = List.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        logitBias = Collections.unmodifiableMap(new TreeMap<>(logitBias));
        List<ParamProblem> problems = problems(
                maxLength,
                maxNewTokens,
                minLength,
                minNewTokens,
                doSample,
                temperature,
                topK,
                topP,
                repetitionPenalty,
                noRepeatNgramSize,
                eosTokenIds,
                stopTokenIds,
                padTokenId,
                stopStrings,
                logprobs,
                n,
                promptLogprobs);
        openAiFields(frequencyPenalty, presencePenalty, logitBias, problems);
        if (!problems.isEmpty()) {
            throw new InvalidParamsException(problems);
        }
    }

    /** kotune's defaults: greedy, max_length {@value #DEFAULT_MAX_LENGTH}, stop at the model's EOS. */
    public static SamplingParams defaults() {
        return builder().build();
    }

    /**
     * The notebook's decoding: do_sample, temperature 0.3, top_p 0.9, repetition_penalty 1.2, no_repeat_ngram_size 2,
     * max_length 64 (top_k stays HF's 50).
     */
    public static SamplingParams notebook() {
        return builder()
                .doSample(true)
                .temperature(0.3)
                .topP(0.9)
                .repetitionPenalty(1.2)
                .noRepeatNgramSize(2)
                .maxLength(64)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxLength = maxLength;
        b.maxNewTokens = maxNewTokens;
        b.minLength = minLength;
        b.minNewTokens = minNewTokens;
        b.doSample = doSample;
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.repetitionPenalty = repetitionPenalty;
        b.noRepeatNgramSize = noRepeatNgramSize;
        b.frequencyPenalty = frequencyPenalty;
        b.presencePenalty = presencePenalty;
        b.logitBias = new TreeMap<>(logitBias);
        b.eosTokenIds = new ArrayList<>(eosTokenIds);
        b.ignoreEos = ignoreEos;
        b.stopTokenIds = new ArrayList<>(stopTokenIds);
        b.padTokenId = padTokenId;
        b.stopStrings = new ArrayList<>(stopStrings);
        b.includeStopStrInOutput = includeStopStrInOutput;
        b.seed = seed;
        b.logprobs = logprobs;
        b.n = n;
        b.promptLogprobs = promptLogprobs;
        return b;
    }

    /** Total length limit for a (padded) prompt of {@code promptLength}: prompt + max_new_tokens, else max_length. */
    public int maxTotalLength(int promptLength) {
        return maxNewTokens != null ? promptLength + maxNewTokens : maxLength;
    }

    /** The same settings for row {@code i} of {@code n}: seed + i when seeded (so the n rows differ), n = 1. */
    public SamplingParams forRow(int i) {
        Builder b = toBuilder().n(1);
        if (seed != null) {
            b.seed(seed + i);
        }
        return b.build();
    }

    /**
     * The rules that need the model and the prompt: prompt ids in the vocabulary, room in the context, top_k and
     * stop token ids against the vocabulary, max_length / max_new_tokens against the context.
     *
     * @return every problem (empty when the request fits the model); canonical field names, the prompt as "prompt"
     */
    public List<ParamProblem> problemsFor(ModelInfo model, int[] prompt) {
        List<ParamProblem> p = new ArrayList<>();
        int vocab = model.vocabSize();
        int context = model.contextLength();
        if (prompt.length == 0) {
            p.add(new ParamProblem(
                    "prompt", "", "1 or more tokens", "an empty prompt gives the model nothing to" + " continue"));
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocab) {
                p.add(ParamProblem.of("prompt[" + i + "]", prompt[i], "a token id in [0, " + vocab + ")"));
            }
        }
        int length = prompt.length;
        if (length >= context) {
            p.add(new ParamProblem(
                    "prompt",
                    length + " tokens",
                    "at most " + (context - 1) + " tokens (the model's" + " context is " + context + ")",
                    "shorten it to leave room to generate"));
        } else if (maxNewTokens != null) {
            if (maxNewTokens > context - length) {
                p.add(new ParamProblem(
                        "max_new_tokens",
                        String.valueOf(maxNewTokens),
                        "in [1, " + (context - length) + "] (context " + context + " - prompt " + length + " tokens)",
                        ""));
            }
        } else if (maxLength <= length || maxLength > context) {
            p.add(new ParamProblem(
                    "max_length",
                    String.valueOf(maxLength),
                    "in [" + (length + 1) + ", " + context + "] (prompt " + length + " tokens + 1, context " + context
                            + ")",
                    maxLength <= length ? "or set max_new_tokens instead" : ""));
        }
        if (topK > vocab) {
            p.add(ParamProblem.of("top_k", topK, "in [0, " + vocab + "] (the model's vocab_size)"));
        }
        for (int i = 0; i < stopTokenIds.size(); i++) {
            if (stopTokenIds.get(i) >= vocab) {
                p.add(ParamProblem.of("stop_token_ids[" + i + "]", stopTokenIds.get(i), "in [0, " + vocab + ")"));
            }
        }
        for (Integer id : logitBias.keySet()) {
            if (id >= vocab) {
                p.add(ParamProblem.of("logit_bias[" + id + "]", id, "a token id in [0, " + vocab + ")"));
            }
        }
        return p;
    }

    /** Throws {@link InvalidParamsException} with {@link #problemsFor} unless the request fits the model. */
    public void checkFits(ModelInfo model, int[] prompt) {
        List<ParamProblem> p = problemsFor(model, prompt);
        if (!p.isEmpty()) {
            throw new InvalidParamsException(p);
        }
    }

    private static List<ParamProblem> problems(
            int maxLength,
            Integer maxNewTokens,
            int minLength,
            int minNewTokens,
            boolean doSample,
            double temperature,
            int topK,
            double topP,
            double repetitionPenalty,
            int noRepeatNgramSize,
            List<Integer> eos,
            List<Integer> stopIds,
            Integer pad,
            List<String> stops,
            Integer logprobs,
            int n,
            Integer promptLogprobs) {
        List<ParamProblem> p = new ArrayList<>();
        if (maxLength < 1) {
            p.add(ParamProblem.of("max_length", maxLength, "in [prompt_length + 1, context_length]"));
        }
        if (maxNewTokens != null && maxNewTokens < (promptLogprobs != null ? 0 : 1)) {
            p.add(ParamProblem.of("max_new_tokens", maxNewTokens, "in [1, context_length - prompt_length]"));
        }
        if (minLength < 0) {
            p.add(ParamProblem.of("min_length", minLength, ">= 0"));
        }
        if (minNewTokens < 0 || (maxNewTokens != null && minNewTokens > maxNewTokens)) {
            p.add(ParamProblem.of(
                    "min_new_tokens",
                    minNewTokens,
                    "in [0, max_new_tokens" + (maxNewTokens != null ? " = " + maxNewTokens : "") + "]"));
        }
        if (Double.isNaN(temperature) || temperature < 0 || temperature > MAX_TEMPERATURE) {
            p.add(ParamProblem.of("temperature", temperature, "in [0, " + num(MAX_TEMPERATURE) + "] (0 = greedy)"));
        } else if (doSample && temperature == 0) {
            p.add(new ParamProblem(
                    "temperature",
                    "0",
                    "in (0, " + num(MAX_TEMPERATURE) + "] when do_sample is true",
                    "temperature 0 means greedy: leave do_sample unset or false"));
        }
        if (topK < 0) {
            p.add(ParamProblem.of("top_k", topK, "in [0, vocab_size] (0 disables)"));
        }
        if (!(topP > 0 && topP <= 1)) {
            p.add(ParamProblem.of("top_p", topP, "in (0, 1]"));
        }
        if (!(repetitionPenalty > 0 && repetitionPenalty <= MAX_REPETITION_PENALTY)) {
            p.add(ParamProblem.of(
                    "repetition_penalty",
                    repetitionPenalty,
                    "in (0, " + num(MAX_REPETITION_PENALTY) + "] (1 disables)"));
        }
        if (noRepeatNgramSize < 0 || noRepeatNgramSize > MAX_NO_REPEAT_NGRAM) {
            p.add(ParamProblem.of(
                    "no_repeat_ngram_size", noRepeatNgramSize, "in [0, " + MAX_NO_REPEAT_NGRAM + "] (0 disables)"));
        }
        ids("eos_token_ids", eos, Integer.MAX_VALUE, p);
        ids("stop_token_ids", stopIds, MAX_STOP, p);
        if (pad != null && pad < 0) {
            p.add(ParamProblem.of("pad_token_id", pad, ">= 0"));
        }
        if (stops.size() > MAX_STOP) {
            p.add(ParamProblem.of("stop", stops.size() + " strings", "at most " + MAX_STOP + " strings"));
        }
        for (int i = 0; i < stops.size(); i++) {
            String s = stops.get(i);
            int length = s == null ? 0 : s.length();
            if (length < 1 || length > MAX_STOP_CHARS) {
                p.add(ParamProblem.of(
                        "stop[" + i + "]", length + " characters", "1 to " + MAX_STOP_CHARS + " characters long"));
            }
        }
        if (logprobs != null && (logprobs < 0 || logprobs > MAX_LOGPROBS)) {
            p.add(ParamProblem.of("logprobs", logprobs, "in [0, " + MAX_LOGPROBS + "]"));
        }
        if (promptLogprobs != null && (promptLogprobs < 0 || promptLogprobs > MAX_LOGPROBS)) {
            p.add(ParamProblem.of("prompt_logprobs", promptLogprobs, "in [0, " + MAX_LOGPROBS + "]"));
        }
        if (n < 1 || n > MAX_N) {
            p.add(ParamProblem.of("n", n, "in [1, " + MAX_N + "]"));
        }
        return p;
    }

    private static void openAiFields(
            double frequency, double presence, Map<Integer, Double> bias, List<ParamProblem> p) {
        String[] names = {"frequency_penalty", "presence_penalty"};
        double[] values = {frequency, presence};
        for (int i = 0; i < 2; i++) {
            if (Double.isNaN(values[i]) || Math.abs(values[i]) > MAX_OPENAI_PENALTY) {
                p.add(ParamProblem.of(
                        names[i],
                        values[i],
                        "in [-" + num(MAX_OPENAI_PENALTY) + ", " + num(MAX_OPENAI_PENALTY) + "] (0 disables)"));
            }
        }
        if (bias.size() > MAX_LOGIT_BIAS_ENTRIES) {
            p.add(ParamProblem.of("logit_bias", bias.size() + " ids", "at most " + MAX_LOGIT_BIAS_ENTRIES + " ids"));
        }
        bias.forEach((id, v) -> {
            if (id < 0) {
                p.add(ParamProblem.of("logit_bias[" + id + "]", id, "a token id >= 0"));
            } else if (v == null || v.isNaN() || Math.abs(v) > MAX_LOGIT_BIAS) {
                p.add(ParamProblem.of(
                        "logit_bias[" + id + "]", v, "in [-" + num(MAX_LOGIT_BIAS) + ", " + num(MAX_LOGIT_BIAS) + "]"));
            }
        });
    }

    private static void ids(String field, List<Integer> ids, int max, List<ParamProblem> p) {
        if (ids.size() > max) {
            p.add(ParamProblem.of(field, ids.size() + " ids", "at most " + max + " ids"));
        }
        for (int i = 0; i < ids.size(); i++) {
            if (ids.get(i) == null || ids.get(i) < 0) {
                p.add(ParamProblem.of(field + "[" + i + "]", ids.get(i), "a token id >= 0"));
            }
        }
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /**
     * Mutable builder: every setter takes null as "not given" and keeps the default. {@link #build()} resolves the
     * defaults, including whether to sample, and validates. Not thread-safe.
     */
    public static final class Builder {
        private Integer maxLength;
        private Integer maxNewTokens;
        private Integer minLength;
        private Integer minNewTokens;
        private Boolean doSample;
        private Double temperature;
        private Integer topK;
        private Double topP;
        private Double repetitionPenalty;
        private Integer noRepeatNgramSize;
        private Double frequencyPenalty;
        private Double presencePenalty;
        private Map<Integer, Double> logitBias = new TreeMap<>();
        private List<Integer> eosTokenIds = new ArrayList<>();
        private Boolean ignoreEos;
        private List<Integer> stopTokenIds = new ArrayList<>();
        private Integer padTokenId;
        private List<String> stopStrings = new ArrayList<>();
        private Boolean includeStopStrInOutput;
        private Long seed;
        private Integer logprobs;
        private Integer n;
        private Integer promptLogprobs;

        public Builder maxLength(Integer v) {
            maxLength = v;
            return this;
        }

        public Builder maxNewTokens(Integer v) {
            maxNewTokens = v;
            return this;
        }

        public Builder minLength(Integer v) {
            minLength = v;
            return this;
        }

        public Builder minNewTokens(Integer v) {
            minNewTokens = v;
            return this;
        }

        /** null: sample when a temperature &gt; 0, top_p or top_k is given, else greedy. */
        public Builder doSample(Boolean v) {
            doSample = v;
            return this;
        }

        public Builder temperature(Double v) {
            temperature = v;
            return this;
        }

        public Builder topK(Integer v) {
            topK = v;
            return this;
        }

        public Builder topP(Double v) {
            topP = v;
            return this;
        }

        public Builder repetitionPenalty(Double v) {
            repetitionPenalty = v;
            return this;
        }

        public Builder noRepeatNgramSize(Integer v) {
            noRepeatNgramSize = v;
            return this;
        }

        public Builder frequencyPenalty(Double v) {
            frequencyPenalty = v;
            return this;
        }

        public Builder presencePenalty(Double v) {
            presencePenalty = v;
            return this;
        }

        /** null or empty: none. */
        public Builder logitBias(Map<Integer, Double> v) {
            logitBias = v == null ? new TreeMap<>() : new TreeMap<>(v);
            return this;
        }

        public Builder eosTokenIds(List<Integer> v) {
            eosTokenIds = v == null ? new ArrayList<>() : new ArrayList<>(v);
            return this;
        }

        public Builder eosTokenId(int v) {
            eosTokenIds = new ArrayList<>(List.of(v));
            return this;
        }

        public Builder ignoreEos(Boolean v) {
            ignoreEos = v;
            return this;
        }

        public Builder stopTokenIds(List<Integer> v) {
            stopTokenIds = v == null ? new ArrayList<>() : new ArrayList<>(v);
            return this;
        }

        public Builder padTokenId(Integer v) {
            padTokenId = v;
            return this;
        }

        public Builder stopStrings(List<String> v) {
            stopStrings = v == null ? new ArrayList<>() : new ArrayList<>(v);
            return this;
        }

        public Builder includeStopStrInOutput(Boolean v) {
            includeStopStrInOutput = v;
            return this;
        }

        public Builder seed(Long v) {
            seed = v;
            return this;
        }

        public Builder logprobs(Integer v) {
            logprobs = v;
            return this;
        }

        public Builder n(Integer v) {
            n = v;
            return this;
        }

        /** null: no prompt logprobs. */
        public Builder promptLogprobs(Integer v) {
            promptLogprobs = v;
            return this;
        }

        /** Resolves defaults and validates; throws {@link InvalidParamsException} naming every bad field. */
        public SamplingParams build() {
            double t = temperature != null ? temperature : 1.0;
            boolean sample = doSample != null
                    ? doSample
                    : (temperature != null && temperature > 0) || topP != null || topK != null;
            return new SamplingParams(
                    maxLength != null ? maxLength : DEFAULT_MAX_LENGTH,
                    maxNewTokens,
                    or(minLength, 0),
                    or(minNewTokens, 0),
                    sample,
                    t,
                    or(topK, DEFAULT_TOP_K),
                    topP != null ? topP : 1.0,
                    repetitionPenalty != null ? repetitionPenalty : 1.0,
                    or(noRepeatNgramSize, 0),
                    frequencyPenalty != null ? frequencyPenalty : 0,
                    presencePenalty != null ? presencePenalty : 0,
                    logitBias,
                    eosTokenIds,
                    Boolean.TRUE.equals(ignoreEos),
                    stopTokenIds,
                    padTokenId,
                    stopStrings,
                    Boolean.TRUE.equals(includeStopStrInOutput),
                    seed,
                    logprobs,
                    or(n, 1),
                    promptLogprobs);
        }

        private static int or(Integer v, int dflt) {
            return v != null ? v : dflt;
        }
    }
}
