package dev.kotune.engine.process;

import dev.kotune.engine.SamplingParams;
import dev.kotune.engine.TokenSequence;
import java.util.ArrayList;
import java.util.List;

/**
 * The processor chain {@code generate()} builds, in HF's order: repetition penalty → no-repeat-ngram → min length →
 * min new tokens → (sampling only) temperature → top-k → top-p; OpenAI's fields where vLLM applies them: logit_bias
 * first, frequency/presence penalties right after the repetition penalty. Processors that would be no-ops are left
 * out, as HF does. Immutable; thread-safe when its processors are.
 */
public final class LogitsProcessors implements LogitsProcessor {

    private final List<LogitsProcessor> chain;

    public LogitsProcessors(List<LogitsProcessor> chain) {
        this.chain = List.copyOf(chain);
    }

    /** The chain for {@code config}; {@code eosTokenIds} are the resolved EOS ids (config's, else the model's). */
    public static LogitsProcessors of(SamplingParams config, int[] eosTokenIds) {
        List<LogitsProcessor> c = new ArrayList<>();
        if (!config.logitBias().isEmpty()) {
            c.add(new LogitBiasProcessor(config.logitBias()));
        }
        if (config.repetitionPenalty() != 1.0) {
            c.add(new RepetitionPenaltyProcessor(config.repetitionPenalty()));
        }
        if (config.frequencyPenalty() != 0 || config.presencePenalty() != 0) {
            c.add(new FrequencyPresencePenaltyProcessor(config.frequencyPenalty(), config.presencePenalty()));
        }
        if (config.noRepeatNgramSize() > 0) {
            c.add(new NoRepeatNGramProcessor(config.noRepeatNgramSize()));
        }
        if (config.minLength() > 0 && eosTokenIds.length > 0) {
            c.add(new MinLengthProcessor(config.minLength(), eosTokenIds));
        }
        if (config.minNewTokens() > 0 && eosTokenIds.length > 0) {
            c.add(new MinNewTokensProcessor(config.minNewTokens(), eosTokenIds));
        }
        if (config.doSample()) {
            if (config.temperature() != 1.0) {
                c.add(new TemperatureProcessor(config.temperature()));
            }
            if (config.topK() != 0) {
                c.add(new TopKProcessor(config.topK()));
            }
            if (config.topP() < 1.0) {
                c.add(new TopPProcessor(config.topP()));
            }
        }
        return new LogitsProcessors(c);
    }

    public List<LogitsProcessor> processors() {
        return chain;
    }

    @Override
    public void process(TokenSequence sequence, float[] logits) {
        for (LogitsProcessor p : chain) {
            p.process(sequence, logits);
        }
    }
}
