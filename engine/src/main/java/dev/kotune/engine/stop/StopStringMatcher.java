package dev.kotune.engine.stop;

import java.util.List;

/**
 * Stop strings over streamed text: text goes in as the detokenizer makes it final, text comes out only once it can
 * no longer be the start of a stop string, and the first stop string found ends the text right before it (or right
 * after it, with vLLM's {@code include_stop_str_in_output}). So a stream never shows a piece of a stop string that
 * the final text does not have, and the streamed pieces add up to the final text. The engine's one home for stop
 * strings: the service's streams, the trainer's answers and the CLI all cut the same way. Not thread-safe: one per
 * sequence.
 */
public final class StopStringMatcher {

    private final List<String> stops;
    private final boolean include;
    private final StringBuilder text = new StringBuilder();
    private int released; // chars of text handed out
    private boolean matched;

    public StopStringMatcher(List<String> stops) {
        this(stops, false);
    }

    /** @param includeStop keep the matched stop string at the end of the text */
    public StopStringMatcher(List<String> stops, boolean includeStop) {
        this.stops = List.copyOf(stops);
        this.include = includeStop;
    }

    /**
     * Adds final text.
     *
     * @return the text that can be handed out now (possibly empty)
     */
    public String append(String piece) {
        if (matched || piece.isEmpty()) {
            return "";
        }
        text.append(piece);
        int cut = -1;
        int end = -1;
        for (String s : stops) {
            // Earlier text was released only when no stop string could start in it, so search from there.
            int at = text.indexOf(s, released);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
                end = at + s.length();
            }
        }
        if (cut >= 0) {
            if (include) {
                cut = end;
                text.setLength(end);
            }
            matched = true;
            return release(cut);
        }
        return release(text.length() - heldBack());
    }

    /** Whether a stop string was found (the text ends before it). */
    public boolean matched() {
        return matched;
    }

    /** At the end of generation: hands out whatever was held back (nothing after a match). */
    public String finish() {
        return matched ? "" : release(text.length());
    }

    /** The text handed out so far. */
    public String text() {
        return text.substring(0, released);
    }

    /** Length of the longest unreleased suffix that is a proper prefix of a stop string. */
    private int heldBack() {
        int pending = text.length() - released;
        int longest = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, pending); k > longest; k--) {
                if (endsWith(s, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    /** Whether the text ends with the first {@code k} chars of {@code s}. */
    private boolean endsWith(String s, int k) {
        int from = text.length() - k;
        for (int i = 0; i < k; i++) {
            if (text.charAt(from + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String release(int upTo) {
        String out = text.substring(released, upTo);
        released = upTo;
        return out;
    }
}
