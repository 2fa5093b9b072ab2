package dev.kotune.trainer.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.tokenization.KoTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SampleAnswererTest {

    @Test
    void takesTheTextAfterTheLastAnswerMarker() {
        assertThat(SampleAnswerer.answerOf("질문: 안녕?\n답변: 네 답변: 반가워요 ", " 네 답변: 반가워요 "))
                .isEqualTo("반가워요");
    }

    @Test
    void fallsBackToTheContinuationWithoutAMarker() {
        assertThat(SampleAnswerer.answerOf("Q: hi A: hello", " hello")).isEqualTo("hello");
    }

    @Test
    void dropsIdsTheTokenizerDoesNotHaveWhenDecoding() {
        try (KoTokenizer tokenizer = KoTokenizer.load(Path.of("../models/kotune-ko-bpe-8k/tokenizer.json"))) {
            int[] ids = tokenizer.encodeIds("답변: 좋아요", false);
            int[] withForeign = new int[ids.length + 2];
            System.arraycopy(ids, 0, withForeign, 1, ids.length);
            withForeign[0] = 9364; // a row of a 51,200-id embedding, not one of the tokenizer's 8,000 ids
            withForeign[ids.length + 1] = 51199;
            assertThat(SampleAnswerer.decode(tokenizer, withForeign)).isEqualTo(tokenizer.decode(ids, true));
        }
    }
}
