package dev.kotune.tokenization;

/** The role a special token plays for a model (transformers' {@code bos_token}, {@code eos_token}, ...). */
public enum SpecialTokenRole {
    /** Beginning of sequence; KoGPT2 uses {@code </s>}. */
    BOS,
    /** End of sequence; KoGPT2 {@code </s>} = 1. */
    EOS,
    /** Padding; KoGPT2 {@code <pad>} = 3. */
    PAD,
    /** Unknown; KoGPT2 {@code <unk>} = 5. */
    UNK,
    /** Mask; KoGPT2 {@code <mask>} = 6. */
    MASK,
    /** Any other special token (KoGPT2: {@code <s>}, {@code <usr>}, {@code <sys>}, {@code <unused0>}, ...). */
    OTHER
}
