package dev.kotune.tokenization.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Retraining on the three shared corpora with the README's settings gives the committed files byte for byte (a few
 * seconds on two cores). Needs ../shared/data.
 */
class BuiltInTokenizerRetrainTest {
    @Test
    void retrainingOnTheSharedCorporaReproducesTheCommittedFilesByteForByte() throws IOException {
        List<CorpusSource> sources = BuiltInTokenizer.CORPORA.stream()
                .map(BuiltInTokenizer.Corpus::source)
                .toList();

        long t0 = System.nanoTime();
        TrainedTokenizer trained =
                TokenizerTraining.kogpt2(BuiltInTokenizer.VOCAB_SIZE).train(sources);
        System.out.printf(
                "retrained %s in %.1f s: %s%n", BuiltInTokenizer.DIR, (System.nanoTime() - t0) / 1e9, trained.stats());

        assertThat(trained.sha256())
                .isEqualTo(TrainedTokenizer.sha256(Files.readAllBytes(BuiltInTokenizer.file("tokenizer.json"))));
        assertThat(trained.tokenizerJson()).isEqualTo(Files.readAllBytes(BuiltInTokenizer.file("tokenizer.json")));
        assertThat(trained.tokenizerConfigJson())
                .isEqualTo(Files.readAllBytes(BuiltInTokenizer.file("tokenizer_config.json")));
        assertThat(trained.stats().vocabSize()).isEqualTo(BuiltInTokenizer.VOCAB_SIZE);
    }
}
