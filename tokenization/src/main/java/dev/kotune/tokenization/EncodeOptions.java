package dev.kotune.tokenization;

/**
 * What {@link KoTokenizer#encode} returns besides ids.
 *
 * @param addSpecialTokens run the tokenizer's post-processor (KoGPT2 has none, so it adds nothing)
 * @param includeTokens return the token strings, e.g. {@code "▁안녕"}
 * @param includeOffsets return each token's span in the input
 */
public record EncodeOptions(boolean addSpecialTokens, boolean includeTokens, boolean includeOffsets) {
    /** Ids only, no special tokens added: what transformers' training code feeds a GPT-2. */
    public static final EncodeOptions IDS_ONLY = new EncodeOptions(false, false, false);
}
