package dev.kotune.tokenization.train;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes {@code tokenizer_config.json} for a tokenizer this package trained: transformers'
 * {@code PreTrainedTokenizerFast} with KoGPT2's roles ({@code bos_token} and {@code eos_token} {@code </s>},
 * {@code pad_token} {@code <pad>}, {@code unk_token} {@code <unk>}, {@code mask_token} {@code <mask>}), the model's
 * maximum length, and no clean-up of spaces on decode (so decode gives back the normalized text). Same layout as
 * {@code tokenizer.json}, final line break included.
 *
 * <p>Stateless, thread-safe.
 */
public final class TokenizerConfigWriter {
    /** The UTF-8 bytes of {@code tokenizer_config.json}, e.g. for {@code modelMaxLength} 1024. */
    public byte[] write(int modelMaxLength) {
        if (modelMaxLength < 1) {
            throw new IllegalArgumentException("modelMaxLength must be >= 1, got " + modelMaxLength);
        }
        Map<String, Object> config = TokenizerJsonWriter.object(
                "tokenizer_class", "PreTrainedTokenizerFast",
                "bos_token", KoGpt2Conventions.BOS_TOKEN,
                "eos_token", KoGpt2Conventions.EOS_TOKEN,
                "unk_token", KoGpt2Conventions.UNK_TOKEN,
                "pad_token", KoGpt2Conventions.PAD_TOKEN,
                "mask_token", KoGpt2Conventions.MASK_TOKEN,
                "model_max_length", modelMaxLength,
                "clean_up_tokenization_spaces", false);
        return (PrettyJson.write(config) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
