package dev.kotune.tokenization;

import java.util.Objects;

/**
 * A special token of a vocabulary with its role. A token with two roles (KoGPT2's {@code </s>} is BOS and EOS)
 * appears once per role.
 *
 * @param token the token text, e.g. {@code "</s>"}
 * @param id its id, e.g. {@code 1}
 * @param role its role, e.g. {@link SpecialTokenRole#EOS}
 */
public record SpecialToken(String token, int id, SpecialTokenRole role) {
    public SpecialToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(role, "role");
    }
}
