package dev.kotune.tokenization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names are classified as file, HF directory or hub id the way transformers' from_pretrained does. */
class TokenizerSourceTest {
    @TempDir
    Path dir;

    @Test
    void anExistingFileIsATokenizerFile() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "{}");

        assertThat(TokenizerSource.parse(file.toString(), "")).isEqualTo(new TokenizerSource.TokenizerFile(file));
    }

    @Test
    void aDirectoryWithTokenizerJsonIsAnHfDirectory() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{}");

        assertThat(TokenizerSource.parse(dir.toString(), "v1")).isEqualTo(new TokenizerSource.HfDirectory(dir));
    }

    @Test
    void aDirectoryWithoutTokenizerJsonIsNotFound() {
        assertThatThrownBy(() -> TokenizerSource.parse(dir.toString(), ""))
                .isInstanceOf(TokenizerNotFoundException.class)
                .hasMessageContaining("tokenizer.json");
    }

    @Test
    void aHubIdDefaultsToMain() {
        assertThat(TokenizerSource.parse("skt/kogpt2-base-v2", ""))
                .isEqualTo(new TokenizerSource.HubRepo("skt/kogpt2-base-v2", "main"));
        assertThat(TokenizerSource.parse("gpt2", "refs/pr/1").key()).isEqualTo("gpt2@refs/pr/1");
    }

    @Test
    void aMissingPathIsNotFound() {
        for (String name : new String[] {"./nope/tokenizer.json", "/nope/x", "nope.json", "a/b/c", "bad--name/x"}) {
            assertThatThrownBy(() -> TokenizerSource.parse(name, ""))
                    .as(name)
                    .isInstanceOf(TokenizerNotFoundException.class);
        }
    }

    @Test
    void aBlankNameIsInvalid() {
        assertThatThrownBy(() -> TokenizerSource.parse("  ", ""))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("tokenizer.name"));
    }

    @Test
    void twoSpellingsOfOnePathShareAKey() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Files.createDirectories(dir.resolve("x"));

        assertThat(TokenizerSource.parse(dir.resolve("x/../tokenizer.json").toString(), "")
                        .key())
                .isEqualTo(TokenizerSource.parse(dir.resolve("tokenizer.json").toString(), "")
                        .key());
    }
}
