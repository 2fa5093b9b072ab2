package dev.kotune.inference.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.inference.domain.TokenLogprob;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Chat logprobs' {@code bytes}: the UTF-8 bytes of the text each token adds, for the token and each alternative. The
 * served tokenizers (KoGPT2's and kotune-ko-bpe-8k: Metaspace BPE without byte fallback) never split a character, so
 * this is checked as a unit: a token that ends inside a character is shown as vLLM shows it (its decoded text, the
 * incomplete bytes as U+FFFD) with vLLM's bytes, {@code list(token.encode("utf-8", errors="replace"))}.
 */
class ChatLogprobBytesTest {

    @Test
    void bytesAreTheUtf8OfTheTextEachTokenAddsLeadingSpaceIncluded() {
        OpenAiChat.Logprobs lp = OpenAiChat.Logprobs.of(
                List.of(new TokenLogprob(8084, " 안녕", -0.5f, List.of(new TokenLogprob.Alternative(376, "!", -1.5f)))));
        OpenAiChat.Content c = lp.content().get(0);
        assertThat(c.token()).isEqualTo(" 안녕");
        assertThat(c.bytes()).containsExactly(0x20, 0xEC, 0x95, 0x88, 0xEB, 0x85, 0x95);
        assertThat(c.topLogprobs().get(0).bytes()).containsExactly(0x21);
        int total = 0;
        for (OpenAiChat.Content x : lp.content()) {
            total += x.bytes().size();
        }
        assertThat(total).isEqualTo(" 안녕".getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void aTokenEndingInsideACharacterIsShownAsVllmShowsIt() {
        OpenAiChat.Logprobs lp = OpenAiChat.Logprobs.of(List.of(new TokenLogprob(7, "\uFFFD", -2f, List.of())));
        assertThat(lp.content().get(0).token()).isEqualTo("\uFFFD");
        assertThat(lp.content().get(0).bytes()).containsExactly(0xEF, 0xBF, 0xBD);
        assertThat(OpenAiChat.Logprobs.of(List.of())).isNull();
    }
}
