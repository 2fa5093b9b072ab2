package dev.kotune.engine.text;

import java.util.Arrays;

/**
 * Incremental, UTF-8-safe detokenizer for streaming (as text-generation-inference and ORT GenAI's
 * {@code TokenizerStream} do it). Each {@link #put} decodes a short window twice — from {@code prefixOffset} to the
 * previous read point and to the end — and emits the difference, unless the new text ends in U+FFFD (a byte-level
 * BPE token that split a multi-byte character: hold it back until the rest arrives) or does not extend the
 * previous text. Decoding a window that starts one token earlier keeps Metaspace/byte-level leading spaces right.
 * {@link #flush()} emits whatever is still held back at the end. Not thread-safe: one per sequence.
 */
public final class TokenizerStream {

    /** Tokens of prompt context decoded with the first generated token (so its leading space survives). */
    private static final int CONTEXT = 5;

    private final Detokenizer detokenizer;
    private int[] ids;
    private int length;
    private int prefixOffset;
    private int readOffset;
    private final StringBuilder emitted = new StringBuilder();

    public TokenizerStream(Detokenizer detokenizer) {
        this(detokenizer, new int[0]);
    }

    /** @param context ids that precede the streamed tokens (the prompt); they are never emitted */
    public TokenizerStream(Detokenizer detokenizer, int[] context) {
        this.detokenizer = detokenizer;
        int from = Math.max(0, context.length - CONTEXT);
        this.ids = Arrays.copyOfRange(context, from, Math.max(context.length, from + 16));
        this.length = context.length - from;
        this.prefixOffset = 0;
        this.readOffset = length;
    }

    /** Adds one token; returns the text that became final (possibly empty, never half a character). */
    public String put(int id) {
        if (length == ids.length) {
            ids = Arrays.copyOf(ids, ids.length * 2 + 8);
        }
        ids[length++] = id;
        String prefix = detokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String full = detokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, length));
        if (full.length() > prefix.length() && full.startsWith(prefix) && !endsIncomplete(full)) {
            String delta = full.substring(prefix.length());
            prefixOffset = readOffset;
            readOffset = length;
            compact();
            emitted.append(delta);
            return delta;
        }
        return "";
    }

    /** Emits what is still held back (e.g. a trailing incomplete character at the end of generation). */
    public String flush() {
        if (readOffset == length) {
            return "";
        }
        String prefix = detokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String full = detokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, length));
        String delta = full.startsWith(prefix) ? full.substring(prefix.length()) : full;
        prefixOffset = readOffset;
        readOffset = length;
        emitted.append(delta);
        return delta;
    }

    /** All text emitted so far. */
    public String text() {
        return emitted.toString();
    }

    private static boolean endsIncomplete(String s) {
        return s.endsWith("\uFFFD") || Character.isHighSurrogate(s.charAt(s.length() - 1));
    }

    /** Drops ids before prefixOffset so windows stay short. */
    private void compact() {
        if (prefixOffset > 64) {
            ids = Arrays.copyOfRange(ids, prefixOffset, Math.max(length, prefixOffset + 16));
            length -= prefixOffset;
            readOffset -= prefixOffset;
            prefixOffset = 0;
        }
    }
}
