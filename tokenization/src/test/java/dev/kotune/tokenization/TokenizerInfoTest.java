package dev.kotune.tokenization;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.testing.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What GetTokenizerInfo reports, for a bare tokenizer.json and for a save_pretrained directory. */
class TokenizerInfoTest {
    @Test
    void kogpt2FileGetsItsDocumentedRoles() {
        try (KoTokenizer tok = KoTokenizer.load(SharedData.require("kogpt2/tokenizer.json"))) {
            TokenizerInfo info = tok.info();

            assertThat(info.vocabSize()).isEqualTo(51200);
            assertThat(info.modelMaxLength()).isEqualTo(1024);
            assertThat(info.sha256()).isEqualTo("e0fa8faff40e3cc7a8e1a79c999b8861971993e8aa674924042eebe6551bb45f");
            assertThat(info.specialTokens().subList(0, 5))
                    .containsExactly(
                            new SpecialToken("</s>", 1, SpecialTokenRole.BOS),
                            new SpecialToken("</s>", 1, SpecialTokenRole.EOS),
                            new SpecialToken("<pad>", 3, SpecialTokenRole.PAD),
                            new SpecialToken("<unk>", 5, SpecialTokenRole.UNK),
                            new SpecialToken("<mask>", 6, SpecialTokenRole.MASK));
            assertThat(info.specialTokens())
                    .contains(
                            new SpecialToken("<s>", 0, SpecialTokenRole.OTHER),
                            new SpecialToken("<usr>", 2, SpecialTokenRole.OTHER),
                            new SpecialToken("<sys>", 4, SpecialTokenRole.OTHER));
        }
    }

    @Test
    void anHfDirectoryTakesRolesFromItsConfigAndLengthFromConfigJson() {
        Path dir = SharedData.require("hf-fake-gpt2");
        try (KoTokenizer tok = KoTokenizer.load(dir)) {
            TokenizerInfo info = tok.info();

            assertThat(info.vocabSize()).isEqualTo(50257);
            // tokenizer_config.json says model_max_length 1e30 (transformers' "unset"), so config.json's n_positions
            assertThat(info.modelMaxLength()).isEqualTo(1024);
            assertThat(info.specialTokens())
                    .containsExactly(
                            new SpecialToken("<|endoftext|>", 50256, SpecialTokenRole.BOS),
                            new SpecialToken("<|endoftext|>", 50256, SpecialTokenRole.EOS),
                            new SpecialToken("<|endoftext|>", 50256, SpecialTokenRole.UNK));
            assertThat(info.token(SpecialTokenRole.PAD)).isEmpty();
            assertThat(tok.encodeIds("Hello world")).containsExactly(15496, 995);
        }
    }
}
