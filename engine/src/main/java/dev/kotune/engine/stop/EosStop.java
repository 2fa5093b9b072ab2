package dev.kotune.engine.stop;

import dev.kotune.engine.FinishReason;
import dev.kotune.engine.TokenSequence;

/** Stops when the last token is one of the EOS ids (the EOS stays in the output, as in HF). Thread-safe. */
public final class EosStop implements StopCondition {

    private final int[] eos;

    public EosStop(int[] eosTokenIds) {
        this.eos = eosTokenIds.clone();
    }

    @Override
    public FinishReason check(TokenSequence sequence, String text, int newChars) {
        int last = sequence.last();
        for (int id : eos) {
            if (id == last) {
                return FinishReason.EOS;
            }
        }
        return null;
    }
}
