package dev.kotune.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Generation parameters with Hugging Face {@code generate()} semantics and defaults. Immutable, thread-safe;
 * {@link #validate()} runs in the constructor and names the field and its allowed range on failure.
 *
 * @param maxLength          prompt + new tokens, e.g. 20 (HF default); ignored when {@code maxNewTokens} is set
 * @param maxNewTokens       new tokens, e.g. 64; null: use {@code maxLength} (HF: max_new_tokens wins)
 * @param minLength          prompt + new tokens before EOS may be chosen, e.g. 0
 * @param minNewTokens       new tokens before EOS may be chosen, e.g. 0
 * @param doSample           false: greedy (argmax); true: multinomial draw after temperature/top-k/top-p
 * @param temperature        (0, ∞), e.g. 1.0; only when sampling
 * @param topK               ≥ 0, 0 disables, e.g. 50 (HF default, active only when sampling)
 * @param topP               (0, 1], 1 disables, e.g. 0.9; only when sampling
 * @param repetitionPenalty  (0, ∞), 1 disables, e.g. 1.2
 * @param noRepeatNgramSize  ≥ 0, 0 disables, e.g. 2
 * @param eosTokenIds        tokens that finish a sequence (kept in the output), e.g. [1]; empty: the model's EOS
 * @param padTokenId         left-padding and filler id, e.g. 3; null: the model's pad (else its EOS)
 * @param stopStrings        a sequence also finishes when its generated text contains one of these, e.g. ["\n질문:"]
 * @param seed               makes sampling reproducible within kotune (not bit-identical to torch's RNG); null: random
 * @param logprobs           also return the log-probability of every chosen token under the processed distribution
 */
public record GenerationConfig(
        int maxLength, Integer maxNewTokens, int minLength, int minNewTokens, boolean doSample, double temperature,
        int topK, double topP, double repetitionPenalty, int noRepeatNgramSize, List<Integer> eosTokenIds,
        Integer padTokenId, List<String> stopStrings, Long seed, boolean logprobs) {

    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        stopStrings = List.copyOf(stopStrings);
        validate(maxLength, maxNewTokens, minLength, minNewTokens, temperature, topK, topP, repetitionPenalty,
                noRepeatNgramSize, eosTokenIds, padTokenId, stopStrings);
    }

    /** HF's defaults: greedy, max_length 20, top_k 50 / top_p 1 / temperature 1 (used only when sampling). */
    public static GenerationConfig defaults() {
        return builder().build();
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
        b.eosTokenIds = new ArrayList<>(eosTokenIds);
        b.padTokenId = padTokenId;
        b.stopStrings = new ArrayList<>(stopStrings);
        b.seed = seed;
        b.logprobs = logprobs;
        return b;
    }

    /** Total length limit for a (padded) prompt of {@code promptLength}: prompt + max_new_tokens, else max_length. */
    public int maxTotalLength(int promptLength) {
        return maxNewTokens != null ? promptLength + maxNewTokens : maxLength;
    }

    private static void validate(int maxLength, Integer maxNewTokens, int minLength, int minNewTokens,
                                 double temperature, int topK, double topP, double repetitionPenalty,
                                 int noRepeatNgramSize, List<Integer> eos, Integer pad, List<String> stops) {
        List<String> problems = new ArrayList<>();
        if (maxLength < 1) {
            problems.add("max_length must be >= 1, got " + maxLength);
        }
        if (maxNewTokens != null && maxNewTokens < 1) {
            problems.add("max_new_tokens must be >= 1, got " + maxNewTokens);
        }
        if (minLength < 0) {
            problems.add("min_length must be >= 0, got " + minLength);
        }
        if (minNewTokens < 0) {
            problems.add("min_new_tokens must be >= 0, got " + minNewTokens);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            problems.add("temperature must be in (0, inf), got " + temperature
                    + (temperature == 0 ? " (for greedy decoding set do_sample=false)" : ""));
        }
        if (topK < 0) {
            problems.add("top_k must be >= 0 (0 disables), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            problems.add("top_p must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            problems.add("repetition_penalty must be in (0, inf), got " + repetitionPenalty);
        }
        if (noRepeatNgramSize < 0) {
            problems.add("no_repeat_ngram_size must be >= 0 (0 disables), got " + noRepeatNgramSize);
        }
        for (Integer id : eos) {
            if (id == null || id < 0) {
                problems.add("eos_token_id must be >= 0, got " + id);
            }
        }
        if (pad != null && pad < 0) {
            problems.add("pad_token_id must be >= 0, got " + pad);
        }
        for (String s : stops) {
            if (s == null || s.isEmpty()) {
                problems.add("stop_strings must be non-empty strings, got " + (s == null ? "null" : "\"\""));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid generation config: " + String.join("; ", problems));
        }
    }

    /** Mutable builder with HF's defaults; not thread-safe. */
    public static final class Builder {
        private int maxLength = 20;
        private Integer maxNewTokens;
        private int minLength;
        private int minNewTokens;
        private boolean doSample;
        private double temperature = 1.0;
        private int topK = 50;
        private double topP = 1.0;
        private double repetitionPenalty = 1.0;
        private int noRepeatNgramSize;
        private List<Integer> eosTokenIds = new ArrayList<>();
        private Integer padTokenId;
        private List<String> stopStrings = new ArrayList<>();
        private Long seed;
        private boolean logprobs;

        public Builder maxLength(int v) {
            maxLength = v;
            return this;
        }

        public Builder maxNewTokens(Integer v) {
            maxNewTokens = v;
            return this;
        }

        public Builder minLength(int v) {
            minLength = v;
            return this;
        }

        public Builder minNewTokens(int v) {
            minNewTokens = v;
            return this;
        }

        public Builder doSample(boolean v) {
            doSample = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder topP(double v) {
            topP = v;
            return this;
        }

        public Builder repetitionPenalty(double v) {
            repetitionPenalty = v;
            return this;
        }

        public Builder noRepeatNgramSize(int v) {
            noRepeatNgramSize = v;
            return this;
        }

        public Builder eosTokenIds(List<Integer> v) {
            eosTokenIds = new ArrayList<>(v);
            return this;
        }

        public Builder eosTokenId(int v) {
            eosTokenIds = new ArrayList<>(List.of(v));
            return this;
        }

        public Builder padTokenId(Integer v) {
            padTokenId = v;
            return this;
        }

        public Builder stopStrings(List<String> v) {
            stopStrings = new ArrayList<>(v);
            return this;
        }

        public Builder seed(Long v) {
            seed = v;
            return this;
        }

        public Builder logprobs(boolean v) {
            logprobs = v;
            return this;
        }

        /** Validates; throws {@link IllegalArgumentException} naming every bad field and its allowed range. */
        public GenerationConfig build() {
            return new GenerationConfig(maxLength, maxNewTokens, minLength, minNewTokens, doSample, temperature, topK,
                    topP, repetitionPenalty, noRepeatNgramSize, eosTokenIds, padTokenId, stopStrings, seed, logprobs);
        }
    }
}
