package dev.kotune.engine.process;

import dev.kotune.engine.TokenSequence;
import java.util.BitSet;

/**
 * HF {@code RepetitionPenaltyLogitsProcessor} as {@code generate()} configures it in transformers 5: every distinct
 * token of the row, prompt and generated, except the left padding ({@code prompt_ignore_length}), is penalised once:
 * a negative score is multiplied by the penalty, a positive one divided (float32 arithmetic, like torch).
 * Thread-safe.
 */
public final class RepetitionPenaltyProcessor implements LogitsProcessor {

    private final float penalty;

    /** @param penalty (0, ∞), e.g. 1.2 */
    public RepetitionPenaltyProcessor(double penalty) {
        if (!(penalty > 0)) {
            throw new IllegalArgumentException("repetition_penalty must be in (0, inf), got " + penalty);
        }
        this.penalty = (float) penalty;
    }

    @Override
    public void process(TokenSequence seq, float[] logits) {
        BitSet done = new BitSet(logits.length);
        for (int i = seq.padding(); i < seq.length(); i++) {
            int id = seq.get(i);
            if (id < 0 || id >= logits.length || done.get(id)) {
                continue;
            }
            done.set(id);
            float s = logits[id];
            logits[id] = s < 0 ? s * penalty : s / penalty;
        }
    }
}
