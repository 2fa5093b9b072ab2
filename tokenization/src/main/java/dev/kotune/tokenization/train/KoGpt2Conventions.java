package dev.kotune.tokenization.train;

import java.util.List;

/**
 * KoGPT2's tokenizer conventions (from {@code skt/kogpt2-base-v2}'s tokenizer.json and its documented usage), which
 * every tokenizer this package trains follows so that it is a drop-in replacement: the seven special tokens at ids
 * 0..6, {@code <unk>} as the BPE unknown token, and the roles transformers gives them.
 *
 * <p>Constants only; thread-safe.
 */
public final class KoGpt2Conventions {
    private KoGpt2Conventions() {}

    /** The special tokens, in id order: {@code <s>}=0, {@code </s>}=1, ..., {@code <mask>}=6. */
    public static final List<String> SPECIAL_TOKENS =
            List.of("<s>", "</s>", "<usr>", "<pad>", "<sys>", "<unk>", "<mask>");

    /** The BPE model's unknown token (one per unknown character: {@code fuse_unk} false, no byte fallback). */
    public static final String UNK_TOKEN = "<unk>";

    /** KoGPT2's usage passes {@code bos_token='</s>'}: the same token as EOS. */
    public static final String BOS_TOKEN = "</s>";

    public static final String EOS_TOKEN = "</s>";
    public static final String PAD_TOKEN = "<pad>";
    public static final String MASK_TOKEN = "<mask>";

    /** KoGPT2's {@code n_positions}. */
    public static final int MODEL_MAX_LENGTH = 1024;

    /** The Metaspace replacement character (U+2581), which stands for a space inside tokens. */
    public static final char METASPACE = '\u2581';
}
