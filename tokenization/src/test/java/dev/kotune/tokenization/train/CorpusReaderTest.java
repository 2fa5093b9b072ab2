package dev.kotune.tokenization.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReaderTest {
    @TempDir
    Path dir;

    private List<String> read(CorpusSource source) throws IOException {
        List<String> out = new ArrayList<>();
        long n = new CorpusReader().read(source, out::add);
        assertThat(n).isEqualTo(out.size());
        return out;
    }

    @Test
    void cutsTextAtEveryKindOfLineEnd() throws IOException {
        Path f = Files.writeString(dir.resolve("t.txt"), "\uFEFF하나\r\n둘\n\n셋\r넷");

        assertThat(read(CorpusSource.lines(f))).containsExactly("하나", "둘", "", "셋", "넷");
    }

    @Test
    void readsTheNamedCsvColumnsRowByRowAsPythonsCsvModuleDoes() throws IOException {
        Path f = Files.writeString(
                dir.resolve("c.csv"), "Q,A,label\r\n12시 땡!,하루가 또 가네요.,0\r\n\"쉼표, 따옴표\"\"\",\"두 줄\n답\",1 \r\n");

        assertThat(read(CorpusSource.csv(f, List.of("Q", "A"))))
                .containsExactly("12시 땡!", "하루가 또 가네요.", "쉼표, 따옴표\"", "두 줄\n답");
    }

    @Test
    void namesTheMissingColumnButNotTheHeadersText() throws IOException {
        Path f = Files.writeString(dir.resolve("c.csv"), "Q,A\n가,나\n");

        assertThatThrownBy(() -> read(CorpusSource.csv(f, List.of("question"))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no column \"question\" in the CSV header (2 columns)")
                .hasMessageNotContaining("Q, A");
    }

    @Test
    void rejectsInvalidUtf8() throws IOException {
        Path f = Files.write(dir.resolve("bad.txt"), new byte[] {'a', (byte) 0xC3, '\n'});

        assertThatThrownBy(() -> read(CorpusSource.lines(f)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not valid UTF-8");
    }
}
