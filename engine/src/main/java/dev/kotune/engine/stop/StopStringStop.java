package dev.kotune.engine.stop;

import dev.kotune.engine.FinishReason;
import dev.kotune.engine.TokenSequence;
import java.util.List;

/**
 * Stops when the generated text contains a stop string; only the tail that the newest token could have completed is
 * searched. Needs a detokenizer. Thread-safe.
 */
public final class StopStringStop implements StopCondition {

    private final List<String> stops;

    public StopStringStop(List<String> stopStrings) {
        this.stops = List.copyOf(stopStrings);
    }

    @Override
    public FinishReason check(TokenSequence sequence, String text, int newChars) {
        if (newChars == 0) {
            return null;
        }
        for (String s : stops) {
            int from = Math.max(0, text.length() - newChars - s.length() + 1);
            if (text.indexOf(s, from) >= 0) {
                return FinishReason.STOP_STRING;
            }
        }
        return null;
    }
}
