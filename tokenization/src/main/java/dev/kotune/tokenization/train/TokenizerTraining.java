package dev.kotune.tokenization.train;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Trains a KoGPT2-style tokenizer from corpus files: reads every sequence ({@link CorpusReader}), counts its words
 * ({@link WordCounts}), learns BPE ({@link BpeTrainer}) and renders {@code tokenizer.json}
 * ({@link TokenizerJsonWriter}) and {@code tokenizer_config.json} ({@link TokenizerConfigWriter}). The same inputs and
 * options always give the same bytes, whatever the order of the sources.
 *
 * <p>Stateless, thread-safe.
 */
public final class TokenizerTraining {
    private final BpeTrainerOptions options;
    private final int modelMaxLength;

    /** @param modelMaxLength written to {@code tokenizer_config.json}, e.g. 1024 */
    public TokenizerTraining(BpeTrainerOptions options, int modelMaxLength) {
        this.options = Objects.requireNonNull(options, "options");
        this.modelMaxLength = modelMaxLength;
    }

    /** KoGPT2's conventions ({@link BpeTrainerOptions#kogpt2}, model max length 1024) at {@code vocabSize}. */
    public static TokenizerTraining kogpt2(int vocabSize) {
        return new TokenizerTraining(BpeTrainerOptions.kogpt2(vocabSize), KoGpt2Conventions.MODEL_MAX_LENGTH);
    }

    public BpeTrainerOptions options() {
        return options;
    }

    /** Reads {@code sources} and trains. */
    public TrainedTokenizer train(List<CorpusSource> sources) throws IOException {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no training input");
        }
        long t0 = System.nanoTime();
        WordCounts counts = new WordCounts();
        CorpusReader reader = new CorpusReader();
        for (CorpusSource source : sources) {
            reader.read(source, counts::addSequence);
        }
        long t1 = System.nanoTime();
        return train(counts, Duration.ofNanos(t1 - t0));
    }

    /** Trains on words already counted. */
    public TrainedTokenizer train(WordCounts counts) {
        return train(counts, Duration.ZERO);
    }

    private TrainedTokenizer train(WordCounts counts, Duration readTime) {
        long t0 = System.nanoTime();
        BpeModel model = new BpeTrainer(options).train(counts.asMap());
        byte[] json = new TokenizerJsonWriter(options.specialTokens(), KoGpt2Conventions.UNK_TOKEN).write(model);
        byte[] config = new TokenizerConfigWriter().write(modelMaxLength);
        TrainingStats stats = new TrainingStats(
                counts.sequences(),
                counts.totalWords(),
                counts.distinctWords(),
                model.alphabetSize(),
                model.merges().size(),
                model.vocab().size(),
                readTime,
                Duration.ofNanos(System.nanoTime() - t0));
        return new TrainedTokenizer(model, json, config, stats);
    }
}
