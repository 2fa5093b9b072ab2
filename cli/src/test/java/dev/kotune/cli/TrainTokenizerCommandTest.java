package dev.kotune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.tokenization.train.BpeTrainerOptions;
import dev.kotune.tokenization.train.CorpusSource;
import dev.kotune.tokenization.train.TokenizerTraining;
import dev.kotune.tokenization.train.TrainedTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainTokenizerCommandTest {
    @TempDir
    Path dir;

    private Path text() throws Exception {
        return Files.writeString(dir.resolve("reviews.txt"), "오늘 날씨 어때?\n오늘은 맑고 따뜻한 날씨가 예상됩니다.\n");
    }

    private Path csv() throws Exception {
        return Files.writeString(dir.resolve("pairs.csv"), "Q,A,label\n배고파,맛있는 음식을 드셔 보세요.,0\n잠이 안 와,따뜻한 우유를 마시고,1\n");
    }

    @Test
    void writesTheFilesTheLibraryTrainsWithTheSameSettings() throws Exception {
        Path out = dir.resolve("tok");
        KotuneCommandTest.Run run = KotuneCommandTest.run(
                "train-tokenizer",
                "--input",
                text().toString(),
                csv().toString(),
                "--csv-columns",
                "Q,A",
                "--vocab-size",
                "80",
                "--out",
                out.toString());

        TrainedTokenizer expected = TokenizerTraining.kogpt2(80)
                .train(List.of(CorpusSource.lines(text()), CorpusSource.csv(csv(), List.of("Q", "A"))));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.readAllBytes(out.resolve("tokenizer.json"))).isEqualTo(expected.tokenizerJson());
        assertThat(Files.readAllBytes(out.resolve("tokenizer_config.json"))).isEqualTo(expected.tokenizerConfigJson());
        assertThat(run.out())
                .contains("read 6 sequences")
                .contains("vocabulary 80 (7 special")
                .contains("sha256 " + expected.sha256());
    }

    @Test
    void passesTheTrainerFlagsThrough() throws Exception {
        Path out = dir.resolve("tok");
        KotuneCommandTest.Run run = KotuneCommandTest.run(
                "train-tokenizer",
                "--input",
                text().toString(),
                "--vocab-size",
                "60",
                "--min-frequency",
                "2",
                "--limit-alphabet",
                "20",
                "--initial-alphabet",
                "\\t",
                "--model-max-length",
                "64",
                "--out",
                out.toString());

        BpeTrainerOptions options = BpeTrainerOptions.kogpt2(60)
                .withMinFrequency(2)
                .withLimitAlphabet(java.util.OptionalInt.of(20))
                .withInitialAlphabet("\t");
        TrainedTokenizer expected = new TokenizerTraining(options, 64).train(List.of(CorpusSource.lines(text())));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.readAllBytes(out.resolve("tokenizer.json"))).isEqualTo(expected.tokenizerJson());
        assertThat(Files.readString(out.resolve("tokenizer_config.json"))).contains("\"model_max_length\": 64");
    }

    @Test
    void aCsvInputNeedsCsvColumns() throws Exception {
        KotuneCommandTest.Run run = KotuneCommandTest.run(
                "train-tokenizer",
                "--input",
                csv().toString(),
                "--vocab-size",
                "80",
                "--out",
                dir.resolve("tok").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("is a CSV file: name the columns to read with --csv-columns");
        assertThat(dir.resolve("tok")).doesNotExist();
    }

    @Test
    void aMissingCsvColumnIsNamedWithTheHeadersColumnCountNotItsText() throws Exception {
        KotuneCommandTest.Run run = KotuneCommandTest.run(
                "train-tokenizer",
                "--input",
                csv().toString(),
                "--csv-columns",
                "Q,answer",
                "--vocab-size",
                "80",
                "--out",
                dir.resolve("tok").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .contains("no column \"answer\" in the CSV header (3 columns)")
                .doesNotContain("label");
    }

    @Test
    void aMissingInputFileIsABadArgument() {
        KotuneCommandTest.Run run = KotuneCommandTest.run(
                "train-tokenizer",
                "--input",
                dir.resolve("nope.txt").toString(),
                "--vocab-size",
                "80",
                "--out",
                dir.resolve("tok").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("nope.txt: no such file").contains("Usage: kotune train-tokenizer");
    }
}
