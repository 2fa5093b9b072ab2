package dev.kotune.tokenization;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face fast tokenizer (Rust, through DJL's JNI binding) that encodes exactly as Python's
 * {@code tokenizers}/{@code transformers} do. It is loaded with no truncation, no padding and no special tokens
 * added by default: truncation, padding and EOS are the caller's business ({@link ExamplePreparer}), done in Java
 * the way transformers does them.
 *
 * <p>Batch calls use the Rust library's own thread pool (rayon). Ids are read straight from the native encodings
 * ({@code TokenizersLibrary}), skipping the token strings, masks and spans DJL's {@code Encoding} would copy out
 * for every text, unless tokens or offsets are asked for.
 *
 * <p>Thread-safe: encode and decode may run from any number of threads at once (the native tokenizer is never
 * reconfigured after loading). {@link #close()} frees the native tokenizer and must not race with use; the
 * {@link TokenizerRegistry} closes its tokenizers only when it is closed itself.
 */
public final class KoTokenizer implements AutoCloseable {
    static {
        // Hub downloads are HubClient's job; DJL must never reach the network (call-home, native download).
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    private static final TokenizersLibrary LIB = TokenizersLibrary.LIB;
    private static final Map<String, String> OPTIONS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

    private final HuggingFaceTokenizer hf;
    private final TokenizerInfo info;

    private KoTokenizer(HuggingFaceTokenizer hf, TokenizerInfo info) {
        this.hf = hf;
        this.info = info;
    }

    /**
     * Loads a tokenizer.
     *
     * @param files the files (only {@code tokenizer.json} is required)
     * @param source how to name it in {@link TokenizerInfo#source()}
     */
    public static KoTokenizer load(TokenizerFiles files, String source) {
        Objects.requireNonNull(files, "files");
        TokenizerInfo info = TokenizerMetadata.read(files, source);
        try {
            return new KoTokenizer(HuggingFaceTokenizer.newInstance(files.tokenizerJson(), OPTIONS), info);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + files.tokenizerJson(), e);
        }
    }

    /** Loads a {@code tokenizer.json} file or an HF-layout directory. */
    public static KoTokenizer load(Path fileOrDirectory) {
        Path p = fileOrDirectory.toAbsolutePath().normalize();
        return Files.isDirectory(p)
                ? load(TokenizerFiles.ofDirectory(p), p.toString())
                : load(TokenizerFiles.ofFile(p), p.toString());
    }

    /** Vocabulary size, special tokens, model max length, sha256. */
    public TokenizerInfo info() {
        return info;
    }

    /** The ids of one text, no special tokens added. */
    public int[] encodeIds(String text) {
        return encodeIds(text, false);
    }

    /** The ids of one text. */
    public int[] encodeIds(String text, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        long enc = LIB.encode(hf.getHandle(), text, addSpecialTokens);
        try {
            return toInts(LIB.getTokenIds(enc));
        } finally {
            LIB.deleteEncoding(enc);
        }
    }

    /** The ids of each text, encoded in parallel by the native library. */
    public int[][] encodeIds(List<String> texts, boolean addSpecialTokens) {
        String[] array = toArray(texts);
        if (array.length == 0) {
            return new int[0][];
        }
        long[] encs = LIB.batchEncode(hf.getHandle(), array, addSpecialTokens);
        int[][] out = new int[encs.length][];
        try {
            for (int i = 0; i < encs.length; i++) {
                out[i] = toInts(LIB.getTokenIds(encs[i]));
            }
        } finally {
            for (long enc : encs) {
                LIB.deleteEncoding(enc);
            }
        }
        return out;
    }

    /** Token counts of each text. */
    public int[] countTokens(List<String> texts, boolean addSpecialTokens) {
        int[][] ids = encodeIds(texts, addSpecialTokens);
        int[] counts = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            counts[i] = ids[i].length;
        }
        return counts;
    }

    /** One text with the tokens and offsets {@code options} asks for. */
    public TokenEncoding encode(String text, EncodeOptions options) {
        Objects.requireNonNull(text, "text");
        long enc = LIB.encode(hf.getHandle(), text, options.addSpecialTokens());
        try {
            return toEncoding(text, enc, options);
        } finally {
            LIB.deleteEncoding(enc);
        }
    }

    /** Each text with the tokens and offsets {@code options} asks for, encoded in parallel. */
    public List<TokenEncoding> encodeBatch(List<String> texts, EncodeOptions options) {
        String[] array = toArray(texts);
        if (array.length == 0) {
            return List.of();
        }
        long[] encs = LIB.batchEncode(hf.getHandle(), array, options.addSpecialTokens());
        List<TokenEncoding> out = new ArrayList<>(encs.length);
        try {
            for (int i = 0; i < encs.length; i++) {
                out.add(toEncoding(array[i], encs[i], options));
            }
        } finally {
            for (long enc : encs) {
                LIB.deleteEncoding(enc);
            }
        }
        return out;
    }

    /**
     * Decodes ids to text, as {@code tokenizers}' {@code decode} (and transformers' with
     * {@code clean_up_tokenization_spaces=False}) does.
     *
     * @throws InvalidInputException ({@code ids[i]}) for an id outside {@code [0, vocab_size)}
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return LIB.decode(hf.getHandle(), checkedIds("ids", ids), skipSpecialTokens);
    }

    /**
     * Decodes several sequences (in parallel in the native library).
     *
     * @throws InvalidInputException ({@code sequences[s].ids[i]}) for an id outside {@code [0, vocab_size)}
     */
    public List<String> decodeBatch(List<int[]> sequences, boolean skipSpecialTokens) {
        if (sequences.isEmpty()) {
            return List.of();
        }
        long[][] batch = new long[sequences.size()][];
        for (int s = 0; s < batch.length; s++) {
            batch[s] = checkedIds("sequences[" + s + "].ids", sequences.get(s));
        }
        return Arrays.asList(LIB.batchDecode(hf.getHandle(), batch, skipSpecialTokens));
    }

    /** Frees the native tokenizer. Idempotent. */
    @Override
    public void close() {
        hf.close();
    }

    @Override
    public String toString() {
        return "KoTokenizer[" + info.source() + ", sha256=" + info.sha256() + "]";
    }

    private long[] checkedIds(String field, int[] ids) {
        Objects.requireNonNull(ids, field);
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= info.vocabSize()) {
                throw new InvalidInputException(
                        field + "[" + i + "]", "must be a token id in [0, " + info.vocabSize() + "), got " + id);
            }
            out[i] = id;
        }
        return out;
    }

    private static TokenEncoding toEncoding(String text, long enc, EncodeOptions options) {
        int[] ids = toInts(LIB.getTokenIds(enc));
        List<String> tokens = options.includeTokens() ? Arrays.asList(LIB.getTokens(enc)) : List.of();
        List<TokenOffset> offsets =
                options.includeOffsets() ? Utf16Offsets.fromCodePoints(text, LIB.getTokenCharSpans(enc)) : List.of();
        return new TokenEncoding(ids, tokens, offsets);
    }

    private static String[] toArray(List<String> texts) {
        String[] array = texts.toArray(new String[0]);
        for (int i = 0; i < array.length; i++) {
            Objects.requireNonNull(array[i], "texts[" + i + "]");
        }
        return array;
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /**
     * Converts the native spans, which count Unicode code points as Python's {@code tokenizers} does, to UTF-16
     * indices (Java string indices), which differ after a character outside the BMP (an emoji).
     */
    static final class Utf16Offsets {
        private Utf16Offsets() {}

        static List<TokenOffset> fromCodePoints(String text, CharSpan[] spans) {
            int[] toUtf16 = hasSurrogates(text) ? codePointToUtf16(text) : null;
            List<TokenOffset> out = new ArrayList<>(spans.length);
            for (CharSpan span : spans) {
                if (span == null) { // a token that maps to no input (none with KoGPT2; post-processor tokens elsewhere)
                    out.add(new TokenOffset(0, 0));
                } else if (toUtf16 == null) {
                    out.add(new TokenOffset(span.getStart(), span.getEnd()));
                } else {
                    out.add(new TokenOffset(toUtf16[span.getStart()], toUtf16[span.getEnd()]));
                }
            }
            return out;
        }

        private static boolean hasSurrogates(String text) {
            for (int i = 0; i < text.length(); i++) {
                if (Character.isSurrogate(text.charAt(i))) {
                    return true;
                }
            }
            return false;
        }

        private static int[] codePointToUtf16(String text) {
            int[] map = new int[text.codePointCount(0, text.length()) + 1];
            int cp = 0;
            for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
                map[cp++] = i;
            }
            map[cp] = text.length();
            return map;
        }
    }
}
