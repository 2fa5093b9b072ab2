package dev.kotune.tokenization;

/**
 * Size limits every entry point applies to its inputs, and the checks that enforce them.
 *
 * @param maxTextBytes the largest text accepted, in UTF-8 bytes, e.g. 1048576 (1 MiB)
 * @param maxBatch the most texts, sequences or examples in one call, e.g. 1024
 */
public record TextLimits(int maxTextBytes, int maxBatch) {
    /** 1 MiB per text, 1024 per batch. */
    public static final TextLimits DEFAULT = new TextLimits(1 << 20, 1024);

    public TextLimits {
        if (maxTextBytes < 1) {
            throw new IllegalArgumentException("maxTextBytes must be >= 1, got " + maxTextBytes);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
    }

    /**
     * Checks one text: present, not only whitespace, at most {@link #maxTextBytes()} bytes of UTF-8.
     *
     * @throws InvalidInputException naming {@code field}
     */
    public void requireText(String field, String text) {
        if (text == null || isBlank(text)) {
            throw new InvalidInputException(field, "must not be empty or only whitespace");
        }
        requireSize(field, text);
    }

    /**
     * Checks that a text is at most {@link #maxTextBytes()} bytes of UTF-8.
     *
     * @throws InvalidInputException naming {@code field}
     */
    public void requireSize(String field, String text) {
        long bytes = utf8Length(text);
        if (bytes > maxTextBytes) {
            throw new InvalidInputException(field, "must be at most " + maxTextBytes + " bytes of UTF-8, got " + bytes);
        }
    }

    /**
     * Checks a batch size: 1 to {@link #maxBatch()}.
     *
     * @throws InvalidInputException naming {@code field}
     */
    public void requireBatch(String field, int size) {
        if (size < 1 || size > maxBatch) {
            throw new InvalidInputException(field, "must hold 1 to " + maxBatch + " items, got " + size);
        }
    }

    /** True when {@code s} is empty or holds only whitespace (Unicode spaces such as U+00A0 included). */
    public static boolean isBlank(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /** The UTF-8 length of {@code s} without encoding it (an unpaired surrogate counts as 3 bytes, like '?'). */
    public static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
