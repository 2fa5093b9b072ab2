package dev.kotune.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.inference.TestExports;
import dev.kotune.tokenization.KoTokenizer;
import org.junit.jupiter.api.Test;

/** Logprob token texts: the text each token adds, leading spaces included (what the issue found missing). */
class TokenizerDetokenizerTest {

    @Test
    void aWordInitialTokenKeepsItsLeadingSpaceAndThePiecesAddUpToTheText() {
        try (KoTokenizer tok = KoTokenizer.load(TestExports.tokenizer())) {
            TokenizerDetokenizer d = new TokenizerDetokenizer(tok);
            String text = "질문: 배고파\n답변: 잘 될 거예요.";
            int[] ids = tok.encodeIds(text);
            StringBuilder joined = new StringBuilder(d.piece(ids[0]));
            for (int i = 1; i < ids.length; i++) {
                joined.append(d.pieceAfter(ids[i - 1], ids[i]));
            }
            assertThat(joined.toString()).isEqualTo(d.decode(ids));
            int[] tail = tok.encodeIds("답변: 잘");
            assertThat(d.pieceAfter(tail[tail.length - 2], tail[tail.length - 1]))
                    .startsWith(" ");
            assertThat(d.piece(tail[tail.length - 1])).doesNotStartWith(" "); // alone, the decoder drops it
        }
    }
}
