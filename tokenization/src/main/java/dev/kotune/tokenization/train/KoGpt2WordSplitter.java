package dev.kotune.tokenization.train;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * KoGPT2's normalizer and pre-tokenizer in Java, as the trainer needs them: the words a text is cut into before BPE.
 *
 * <ol>
 *   <li>normalizer {@code Sequence[NFKC, BertNormalizer(clean_text=false, handle_chinese_chars=false,
 *       strip_accents=false, lowercase=false)]}: NFKC only, as the BertNormalizer with every option off changes
 *       nothing;
 *   <li>pre-tokenizer {@code Metaspace("▁", add_prefix_space=true)} (tokenizers 0.23: {@code prepend_scheme
 *       "always", split true}): every U+0020 space becomes {@code ▁}, a {@code ▁} is put in front unless the text
 *       already starts with one (an empty text stays empty), and the text is cut before every {@code ▁}.
 * </ol>
 *
 * <p>So {@code "질문: 안녕  하세요"} gives {@code ["▁질문:", "▁안녕", "▁", "▁하세요"]}. Only U+0020 is a space here:
 * tabs and line breaks stay inside words, as in the Rust implementation.
 *
 * <p>Stateless, thread-safe.
 */
public final class KoGpt2WordSplitter {
    private static final String METASPACE = String.valueOf(KoGpt2Conventions.METASPACE);

    /** NFKC, as java.text.Normalizer implements it. */
    public String normalize(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFKC);
    }

    /** The words of {@code text}, in order; none for an empty text. */
    public List<String> words(String text) {
        String s = normalize(text).replace(" ", METASPACE);
        List<String> out = new ArrayList<>();
        if (s.isEmpty()) {
            return out;
        }
        if (s.charAt(0) != KoGpt2Conventions.METASPACE) {
            s = METASPACE + s;
        }
        int start = 0;
        for (int i = 1; i < s.length(); i++) {
            if (s.charAt(i) == KoGpt2Conventions.METASPACE) {
                out.add(s.substring(start, i));
                start = i;
            }
        }
        out.add(s.substring(start));
        return out;
    }
}
