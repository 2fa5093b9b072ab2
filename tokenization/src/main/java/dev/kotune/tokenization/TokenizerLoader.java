package dev.kotune.tokenization;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Turns a {@link TokenizerSource} into a loaded {@link KoTokenizer}: files and directories are read in place; a
 * hub repository is resolved through the HF cache by the {@link HubClient} ({@code tokenizer.json} required,
 * {@code tokenizer_config.json}, {@code special_tokens_map.json}, {@code config.json} when the repo has them).
 *
 * <p>Thread-safe.
 */
public final class TokenizerLoader {
    private final HubClient hub;

    public TokenizerLoader(HubClient hub) {
        this.hub = Objects.requireNonNull(hub, "hub");
    }

    /** A loader for the process environment ({@code HF_HOME}, {@code HF_ENDPOINT}, {@code HF_HUB_OFFLINE}, ...). */
    public static TokenizerLoader fromSystemEnvironment() {
        return new TokenizerLoader(new HubClient(HfEnvironment.fromSystem()));
    }

    /** The hub client used for hub ids. */
    public HubClient hub() {
        return hub;
    }

    /**
     * Loads the tokenizer {@code source} names.
     *
     * @throws TokenizerNotFoundException, HubOfflineException, HubUnavailableException for a hub id that cannot be had
     * @throws InvalidInputException ({@code tokenizer.name}) when the file is not a usable tokenizer.json
     */
    public KoTokenizer load(TokenizerSource source) {
        TokenizerFiles files;
        if (source instanceof TokenizerSource.TokenizerFile f) {
            files = TokenizerFiles.ofFile(f.file());
        } else if (source instanceof TokenizerSource.HfDirectory d) {
            files = TokenizerFiles.ofDirectory(d.directory());
        } else if (source instanceof TokenizerSource.HubRepo h) {
            Path snapshot = hub.snapshot(
                    h.repoId(),
                    h.revision(),
                    List.of(TokenizerSource.HfDirectory.TOKENIZER_JSON),
                    TokenizerFiles.OPTIONAL_FILES);
            files = TokenizerFiles.ofDirectory(snapshot);
        } else {
            throw new IllegalArgumentException("unknown source " + source);
        }
        try {
            return KoTokenizer.load(files, source.key());
        } catch (UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            throw new InvalidInputException(
                    "tokenizer.name",
                    "'" + source.key() + "' is not a usable HF tokenizer.json (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            if (e instanceof TokenizationException) {
                throw e;
            }
            // DJL reports a malformed tokenizer.json as an EngineException/RuntimeException from the native side.
            throw new InvalidInputException(
                    "tokenizer.name",
                    "'" + source.key() + "' is not a usable HF tokenizer.json (" + e.getMessage() + ")");
        }
    }
}
