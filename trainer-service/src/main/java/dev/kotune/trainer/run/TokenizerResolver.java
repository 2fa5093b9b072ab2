package dev.kotune.trainer.run;

import dev.kotune.checkpoint.GPT2Config;
import dev.kotune.checkpoint.KotuneMetadata;
import dev.kotune.tokenization.KoTokenizer;
import dev.kotune.tokenization.SpecialToken;
import dev.kotune.tokenization.SpecialTokenRole;
import dev.kotune.tokenization.TokenizationException;
import dev.kotune.tokenization.TokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Loads a job's tokenizer: the job's {@code tokenizer} (a {@code tokenizer.json}, an HF directory, a built-in name
 * or a hub id), else the base model directory's {@code tokenizer.json}. The model's {@code config.json} gives the
 * maximum length; the tokenizer must fit the model (every id below {@code vocab_size}, and the same tokenizer as the
 * base model's {@code kotune.json} names, when it names one). Thread-safe.
 */
public final class TokenizerResolver {

    private static final String TOKENIZER_JSON = "tokenizer.json";
    private static final List<String> EXTRAS = List.of("tokenizer_config.json", "special_tokens_map.json");

    private final ModelLocator locator;

    public TokenizerResolver(ModelLocator locator) {
        this.locator = locator;
    }

    /**
     * @param name      the job's tokenizer; empty or equal to {@code baseName}: the base model's own
     * @param baseName  the job's base model as named, e.g. "kotune/tiny-ko"
     * @param baseDir   the resolved base model directory
     * @param config    the base model's config
     * @param baseMeta  the base model's kotune.json, or null
     * @throws JobFailure TOKENIZER naming the file and the problem
     */
    public ResolvedTokenizer resolve(
            String name, String baseName, Path baseDir, GPT2Config config, KotuneMetadata baseMeta) throws JobFailure {
        Path json = locate(name, baseName, baseDir);
        String shown = name.isEmpty() ? baseName : name;
        List<Path> files = new ArrayList<>();
        files.add(json);
        Optional<Path> tokenizerConfig = Optional.empty();
        Optional<Path> specialTokens = Optional.empty();
        if (json.getFileName().toString().equals(TOKENIZER_JSON)) {
            for (String extra : EXTRAS) {
                Path f = json.resolveSibling(extra);
                if (Files.isRegularFile(f)) {
                    files.add(f);
                }
            }
            tokenizerConfig = existing(json.resolveSibling(EXTRAS.get(0)));
            specialTokens = existing(json.resolveSibling(EXTRAS.get(1)));
        }
        KoTokenizer tokenizer;
        try {
            tokenizer = KoTokenizer.load(
                    new TokenizerFiles(json, tokenizerConfig, specialTokens, existing(baseDir.resolve("config.json"))),
                    shown);
        } catch (TokenizationException | java.io.UncheckedIOException e) {
            throw new JobFailure(
                    ErrorType.TOKENIZER, "tokenizer " + json + " cannot be loaded: " + e.getMessage(), false, e);
        } catch (RuntimeException e) {
            throw new JobFailure(ErrorType.TOKENIZER, "tokenizer " + json + " cannot be loaded: " + e, false, e);
        }
        try {
            check(tokenizer, json, baseDir, config, baseMeta);
        } catch (JobFailure e) {
            tokenizer.close();
            throw e;
        }
        return new ResolvedTokenizer(tokenizer, shown, json, files);
    }

    private Path locate(String name, String baseName, Path baseDir) throws JobFailure {
        if (name.isEmpty() || name.equals(baseName)) {
            Path json = baseDir.resolve(TOKENIZER_JSON);
            if (!Files.isRegularFile(json)) {
                throw new JobFailure(
                        ErrorType.TOKENIZER,
                        "base model directory " + baseDir + " has no "
                                + TOKENIZER_JSON
                                + ": name the tokenizer in spec.tokenizer (a tokenizer.json, a directory, "
                                + "a built-in like kotune/ko-bpe-8k or a hub id)");
            }
            return json;
        }
        Path path;
        if (ModelLocator.isBuiltIn(name)) {
            path = locator.builtIn(name)
                    .orElseThrow(() -> new JobFailure(ErrorType.TOKENIZER, locator.unknownBuiltIn(name)));
        } else if (ModelLocator.isPathLike(name)) {
            path = ModelLocator.toPath(name)
                    .orElseThrow(() ->
                            new JobFailure(ErrorType.TOKENIZER, "tokenizer \"" + name + "\" is not a usable path"));
        } else {
            try {
                path = locator.tokenizerFromHub(name);
            } catch (TokenizationException e) {
                throw new JobFailure(
                        ErrorType.TOKENIZER,
                        "tokenizer \"" + name + "\" from the hub: " + e.getMessage(),
                        e instanceof dev.kotune.tokenization.HubUnavailableException,
                        e);
            }
        }
        if (Files.isDirectory(path)) {
            path = path.resolve(TOKENIZER_JSON);
        }
        if (!Files.isRegularFile(path)) {
            throw new JobFailure(ErrorType.TOKENIZER, "tokenizer file " + path + " does not exist");
        }
        return path;
    }

    private static void check(
            KoTokenizer tokenizer, Path json, Path baseDir, GPT2Config config, KotuneMetadata baseMeta)
            throws JobFailure {
        var info = tokenizer.info();
        if (info.vocabSize() > config.vocabSize()) {
            throw new JobFailure(
                    ErrorType.TOKENIZER,
                    "tokenizer " + json + " has " + info.vocabSize()
                            + " ids but the base model " + baseDir + " has vocab_size " + config.vocabSize()
                            + ": ids from " + config.vocabSize() + " on have no embedding; use the model's tokenizer");
        }
        for (SpecialTokenRole role : List.of(SpecialTokenRole.EOS, SpecialTokenRole.PAD)) {
            Optional<SpecialToken> t = info.token(role);
            if (t.isEmpty()) {
                throw new JobFailure(
                        ErrorType.TOKENIZER,
                        "tokenizer " + json + " has no " + role + " token (KoGPT2's are </s> = 1 and <pad> = 3)");
            }
        }
        if (baseMeta != null
                && baseMeta.tokenizerSha256() != null
                && !baseMeta.tokenizerSha256().equalsIgnoreCase(info.sha256())) {
            throw new JobFailure(
                    ErrorType.TOKENIZER,
                    "tokenizer " + json + " has sha256 " + info.sha256()
                            + " but the base model " + baseDir + " was trained with tokenizer sha256 "
                            + baseMeta.tokenizerSha256() + " (its kotune.json): token ids would not match; use "
                            + baseDir.resolve(TOKENIZER_JSON));
        }
    }

    private static Optional<Path> existing(Path p) {
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
}
