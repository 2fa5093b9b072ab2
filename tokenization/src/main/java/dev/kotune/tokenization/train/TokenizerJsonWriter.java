package dev.kotune.tokenization.train;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a trained model as a Hugging Face {@code tokenizer.json} with KoGPT2's pipeline, in exactly the bytes
 * tokenizers 0.23's {@code Tokenizer.save} (pretty) writes for the same tokenizer: so the file is deterministic,
 * loads in DJL and Python {@code tokenizers}, and a model trained here can be compared byte for byte with one
 * Hugging Face's trainer learned.
 *
 * <ul>
 *   <li>{@code version} "1.0", no truncation, no padding, no post-processor;
 *   <li>{@code added_tokens}: the special tokens at their ids ({@code special} true, {@code normalized} false);
 *   <li>normalizer {@code Sequence[NFKC, BertNormalizer(all false)]};
 *   <li>pre-tokenizer {@code Sequence[Metaspace("▁")]} and decoder {@code Metaspace("▁")}, both as tokenizers 0.23
 *       writes KoGPT2's {@code add_prefix_space: true}: {@code prepend_scheme "always", split true};
 *   <li>model BPE: no dropout, {@code <unk>}, no subword prefix/suffix, {@code fuse_unk}, {@code byte_fallback} and
 *       {@code ignore_merges} false, vocab in id order, merges by rank as {@code ["left", "right"]} pairs.
 * </ul>
 *
 * <p>Stateless, thread-safe.
 */
public final class TokenizerJsonWriter {
    private final List<String> specialTokens;
    private final String unkToken;

    /** KoGPT2's special tokens and {@code <unk>}. */
    public TokenizerJsonWriter() {
        this(KoGpt2Conventions.SPECIAL_TOKENS, KoGpt2Conventions.UNK_TOKEN);
    }

    public TokenizerJsonWriter(List<String> specialTokens, String unkToken) {
        this.specialTokens = List.copyOf(specialTokens);
        this.unkToken = unkToken;
    }

    /** The UTF-8 bytes of {@code tokenizer.json} (no final line break, as tokenizers writes it). */
    public byte[] write(BpeModel model) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int id = 0; id < model.vocab().size(); id++) {
            ids.put(model.vocab().get(id), id);
        }
        if (!ids.containsKey(unkToken)) {
            throw new IllegalArgumentException("the vocabulary lacks the unknown token " + unkToken);
        }
        List<Object> added = new ArrayList<>();
        for (String token : specialTokens) {
            Integer id = ids.get(token);
            if (id == null) {
                throw new IllegalArgumentException("the vocabulary lacks the special token " + token);
            }
            added.add(object(
                    "id",
                    id,
                    "content",
                    token,
                    "single_word",
                    false,
                    "lstrip",
                    false,
                    "rstrip",
                    false,
                    "normalized",
                    false,
                    "special",
                    true));
        }
        List<Object> merges = new ArrayList<>(model.merges().size());
        for (BpeMerge m : model.merges()) {
            merges.add(List.of(m.left(), m.right()));
        }
        Map<String, Object> metaspace = object(
                "type",
                "Metaspace",
                "replacement",
                String.valueOf(KoGpt2Conventions.METASPACE),
                "prepend_scheme",
                "always",
                "split",
                true);

        Map<String, Object> bpe = object(
                "type",
                "BPE",
                "dropout",
                null,
                "unk_token",
                unkToken,
                "continuing_subword_prefix",
                null,
                "end_of_word_suffix",
                null,
                "fuse_unk",
                false,
                "byte_fallback",
                false,
                "ignore_merges",
                false);
        bpe.put("vocab", ids);
        bpe.put("merges", merges);

        Map<String, Object> root = object("version", "1.0", "truncation", null, "padding", null);
        root.put("added_tokens", added);
        root.put(
                "normalizer",
                object(
                        "type",
                        "Sequence",
                        "normalizers",
                        List.of(
                                object("type", "NFKC"),
                                object(
                                        "type",
                                        "BertNormalizer",
                                        "clean_text",
                                        false,
                                        "handle_chinese_chars",
                                        false,
                                        "strip_accents",
                                        false,
                                        "lowercase",
                                        false))));
        root.put("pre_tokenizer", object("type", "Sequence", "pretokenizers", List.of(metaspace)));
        root.put("post_processor", null);
        root.put("decoder", metaspace);
        root.put("model", bpe);
        return PrettyJson.write(root).getBytes(StandardCharsets.UTF_8);
    }

    /** An ordered JSON object from key, value, key, value, ... */
    static Map<String, Object> object(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
