package dev.kotune.trainer.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.tokenization.Example;
import dev.kotune.trainer.domain.Dataset;
import dev.kotune.trainer.domain.DatasetFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {

    private final DatasetReader reader = new DatasetReader();

    @TempDir
    Path tmp;

    private DatasetReader.Loaded csv(String text, int limit) throws IOException {
        Path file = tmp.resolve("data.csv");
        Files.writeString(file, text);
        return reader.read(new Dataset(DatasetFormat.CSV, List.of(), file.toString(), "Q", "A", limit));
    }

    @Test
    void readsQuotedCsvFieldsWithCommasQuotesAndLineBreaks() throws IOException {
        var loaded = csv("\uFEFFQ,A,label\r\n\"a, b\",\"say \"\"hi\"\"\",0\r\n\"two\nlines\", ok,1\r\n", 0);
        assertThat(loaded.examples())
                .containsExactly(new Example("a, b", " say \"hi\""), new Example("two\nlines", " ok"));
        assertThat(loaded.problems()).isEmpty();
    }

    @Test
    void addsTheLeadingSpaceToCsvCompletionsOnly() throws IOException {
        assertThat(csv("Q,A\nq, a\nq2,b\n", 0).examples())
                .extracting(Example::completion)
                .containsExactly(" a", " b");
    }

    @Test
    void stopsAtTheLimit() throws IOException {
        assertThat(csv("Q,A\n1,a\n2,b\n3,c\n", 2).examples())
                .extracting(Example::prompt)
                .containsExactly("1", "2");
    }

    @Test
    void reportsBlankFieldsAndCountsThoseBeyondTheListedOnes() throws IOException {
        StringBuilder text = new StringBuilder("Q,A\n");
        for (int i = 0; i < 13; i++) {
            text.append("q").append(i).append(",\n");
        }
        var loaded = csv(text.toString(), 0);
        assertThat(loaded.examples()).isEmpty();
        assertThat(loaded.problems()).hasSize(11);
        assertThat(loaded.problems().get(0)).isEqualTo("row 1: completion (\"A\") is blank");
        assertThat(loaded.problems().get(10)).isEqualTo("... and 3 more");
    }

    @Test
    void failsOnAnUnterminatedQuote() {
        assertThatThrownBy(() -> csv("Q,A\n\"open,a\n", 0))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("row 1 is not valid CSV");
    }
}
