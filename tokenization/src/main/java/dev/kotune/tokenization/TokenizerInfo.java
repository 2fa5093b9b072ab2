package dev.kotune.tokenization;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a loaded tokenizer is.
 *
 * @param source where it was loaded from: a file, a directory, or {@code repo@revision}
 * @param vocabSize ids in the vocabulary including added tokens, e.g. 51200 for KoGPT2
 * @param specialTokens special tokens with roles: BOS, EOS, PAD, UNK, MASK first, then OTHER by id
 * @param modelMaxLength the longest sequence the model takes, e.g. 1024
 * @param sha256 lower-case hex sha256 of the {@code tokenizer.json} bytes
 */
public record TokenizerInfo(
        String source, int vocabSize, List<SpecialToken> specialTokens, int modelMaxLength, String sha256) {

    public TokenizerInfo {
        Objects.requireNonNull(source, "source");
        specialTokens = List.copyOf(specialTokens);
        Objects.requireNonNull(sha256, "sha256");
    }

    /** The token with {@code role}, if the tokenizer has one (OTHER: the first). */
    public Optional<SpecialToken> token(SpecialTokenRole role) {
        return specialTokens.stream().filter(t -> t.role() == role).findFirst();
    }
}
