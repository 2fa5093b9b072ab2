package dev.kotune.tokenization.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.tokenization.Example;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleReaderTest {

    private final ExampleReader reader = new ExampleReader();

    @TempDir
    Path tmp;

    private ExampleReader.Loaded csv(String text, int limit) throws IOException {
        Path file = Files.writeString(tmp.resolve("data.csv"), text);
        return reader.read(file, ExampleFormat.CSV, "Q", "A", limit);
    }

    private ExampleReader.Loaded jsonl(String text) throws IOException {
        Path file = Files.writeString(tmp.resolve("data.jsonl"), text);
        return reader.read(file, ExampleFormat.JSONL, null, null, 0);
    }

    @Test
    void csvQuotingCommasDoubledQuotesAndEmbeddedNewlines() throws IOException {
        var loaded = csv("Q,A,label\r\n\"a, b\",\"say \"\"hi\"\"\",0\r\n\"two\nlines\",\"x\r\ny\",1\r\n", 0);
        assertThat(loaded.examples())
                .containsExactly(new Example("a, b", " say \"hi\""), new Example("two\nlines", " x\r\ny"));
        assertThat(loaded.problems()).isEmpty();
    }

    @Test
    void csvSkipsALeadingByteOrderMarkSoTheFirstColumnIsFound() throws IOException {
        assertThat(csv("\uFEFFQ,A\nq,a\n", 0).examples()).containsExactly(new Example("q", " a"));
    }

    @Test
    void jsonlSkipsALeadingByteOrderMarkToo() throws IOException {
        assertThat(jsonl("\uFEFF{\"prompt\":\"p\",\"completion\":\" c\"}\n").examples())
                .containsExactly(new Example("p", " c"));
    }

    @Test
    void csvFindsColumnsByNameIgnoringSurroundingSpacesAndOrder() throws IOException {
        assertThat(csv("label, A , Q\n0,a,q\n", 0).examples()).containsExactly(new Example("q", " a"));
    }

    @Test
    void csvLeadingSpaceIsAddedOnlyWhenMissing() throws IOException {
        assertThat(csv("Q,A\nq, a\nq2,b\n", 0).examples())
                .extracting(Example::completion)
                .containsExactly(" a", " b");
    }

    @Test
    void csvMissingColumnNamesTheColumnButNotTheHeader() throws IOException {
        Path passwd = Files.writeString(tmp.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        assertThatThrownBy(() -> reader.read(passwd, ExampleFormat.CSV, "Q", "A", 0))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no column \"Q\" in the CSV header (1 column)")
                .hasMessageNotContaining("root:");
    }

    @Test
    void csvShortRowsAreSkippedAsMissingFieldsNamingRowAndColumn() throws IOException {
        var loaded = csv("Q,A\nonly-q\nq,a\n", 0);
        assertThat(loaded.examples()).containsExactly(new Example("q", " a"));
        assertThat(loaded.problems()).containsExactly("row 1: completion (\"A\") is missing");
        assertThat(loaded.skipped()).isEqualTo(1);
    }

    @Test
    void csvEmptyFileIsAnErrorNamingTheMissingHeader() throws IOException {
        assertThatThrownBy(() -> csv("", 0))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("empty file: a CSV header row is required");
    }

    @Test
    void csvHeaderOnlyAndJsonlEmptyGiveNoExamplesAndNoProblems() throws IOException {
        assertThat(csv("Q,A\n", 0).examples()).isEmpty();
        var empty = jsonl("");
        assertThat(empty.examples()).isEmpty();
        assertThat(empty.problems()).isEmpty();
    }

    @Test
    void csvUnterminatedQuoteNamesTheRowNotTheText() {
        assertThatThrownBy(() -> csv("Q,A\nq,a\n\"secret,a\n", 0))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("row 2 is not valid CSV")
                .hasMessageNotContaining("secret");
    }

    @Test
    void invalidUtf8IsAnErrorWithoutTheBytes() throws IOException {
        Path file = Files.write(tmp.resolve("bad.csv"), "Q,A\nq,\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> reader.read(file, ExampleFormat.CSV, "Q", "A", 0))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void blankFieldsAreListedUpToTenThenCounted() throws IOException {
        StringBuilder text = new StringBuilder("Q,A\n");
        for (int i = 0; i < 13; i++) {
            text.append("q").append(i).append(",\n");
        }
        var loaded = csv(text.toString(), 0);
        assertThat(loaded.examples()).isEmpty();
        assertThat(loaded.problems()).hasSize(11);
        assertThat(loaded.problems().get(0)).isEqualTo("row 1: completion (\"A\") is blank");
        assertThat(loaded.problems().get(10)).isEqualTo("... and 3 more");
        assertThat(loaded.skipped()).isEqualTo(13);
    }

    @Test
    void stopsAtTheLimit() throws IOException {
        assertThat(csv("Q,A\n1,a\n2,b\n3,c\n", 2).examples())
                .extracting(Example::prompt)
                .containsExactly("1", "2");
    }

    @Test
    void jsonlReportsLinesThatAreNotObjectsOrLackStringFieldsWithoutTheirText() throws IOException {
        var loaded = jsonl(
                "{\"prompt\":\"p\",\"completion\":\" c\"}\n\nroot:x:0:0\n[1]\n{\"prompt\":3,\"completion\":\"c\"}\n");
        assertThat(loaded.examples()).containsExactly(new Example("p", " c"));
        assertThat(loaded.problems())
                .containsExactly("line 3: not a JSON object", "line 4: not a JSON object", "line 5: prompt is missing");
        assertThat(String.join("\n", loaded.problems())).doesNotContain("root:");
    }

    @Test
    void formatFromFileName() {
        assertThat(ExampleFormat.ofFileName(Path.of("a/b.JSONL"))).isEqualTo(ExampleFormat.JSONL);
        assertThat(ExampleFormat.ofFileName(Path.of("train.json"))).isEqualTo(ExampleFormat.JSONL);
        assertThat(ExampleFormat.ofFileName(Path.of("ChatbotData.csv"))).isEqualTo(ExampleFormat.CSV);
    }
}
