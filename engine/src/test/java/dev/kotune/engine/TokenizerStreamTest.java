package dev.kotune.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.kotune.engine.text.Detokenizer;
import dev.kotune.engine.text.TokenizerStream;
import dev.kotune.testing.SharedData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Streaming detokenization never emits half a character and, concatenated, equals decoding everything at once —
 * with KoGPT2's Metaspace BPE (whole characters, leading spaces) and with GPT-2's byte-level BPE, which splits a
 * Hangul syllable (3 UTF-8 bytes) or an emoji (4 bytes) across tokens.
 */
class TokenizerStreamTest {

    static final List<String> TEXTS = List.of(
            "질문: 안녕하세요?\n답변: 안녕하세요! 무엇을 도와드릴까요?",
            "오늘 날씨 어때? 맑고 따뜻한 날씨가 예상됩니다 😊👍🏽",
            "kotune 한국어 GPT-2, 띄어쓰기  두 칸과 숫자 12345.");

    @Test
    void koGpt2StreamEqualsFullDecodeAndNeverEmitsHalfCharacters() throws Exception {
        try (HuggingFaceTokenizer tok = load(SharedData.require("kogpt2/tokenizer.json"))) {
            for (String text : TEXTS) {
                assertStreams(tok, text, false);
            }
        }
    }

    @Test
    void byteLevelGpt2StreamHoldsBackSplitCharacters() throws Exception {
        try (HuggingFaceTokenizer tok = load(SharedData.require("hf-fake-gpt2/tokenizer.json"))) {
            for (String text : TEXTS) {
                assertStreams(tok, text, true);
            }
        }
    }

    @Test
    void promptContextKeepsTheLeadingSpaceOfTheFirstGeneratedToken() throws Exception {
        try (HuggingFaceTokenizer tok = load(SharedData.require("kogpt2/tokenizer.json"))) {
            int[] ids = ids(tok, "질문: 배고파\n답변: 밥을 드세요");
            int split = ids.length - 3;
            Detokenizer d = d(tok);
            TokenizerStream s = new TokenizerStream(d, Arrays.copyOf(ids, split));
            StringBuilder out = new StringBuilder();
            for (int i = split; i < ids.length; i++) {
                out.append(s.put(ids[i]));
            }
            out.append(s.flush());
            String full = d.decode(ids);
            String prompt = d.decode(Arrays.copyOf(ids, split));
            assertThat(prompt + out).isEqualTo(full);
            assertThat(out.toString()).startsWith(" "); // " 밥을 드세요": the space before the first new word survives
        }
    }

    private static void assertStreams(HuggingFaceTokenizer tok, String text, boolean expectSplits) {
        int[] ids = ids(tok, text);
        Detokenizer d = d(tok);
        TokenizerStream stream = new TokenizerStream(d);
        StringBuilder out = new StringBuilder();
        int heldBack = 0;
        for (int id : ids) {
            String delta = stream.put(id);
            assertThat(delta).as("delta for token %d of %s", id, text).doesNotContain("\uFFFD");
            assertThat(delta.isEmpty() || !Character.isHighSurrogate(delta.charAt(delta.length() - 1)))
                    .isTrue();
            if (delta.isEmpty()) {
                heldBack++;
            }
            out.append(delta);
        }
        out.append(stream.flush());
        assertThat(out.toString()).isEqualTo(d.decode(ids));
        if (expectSplits) {
            assertThat(out.toString()).isEqualTo(text); // byte-level BPE is lossless (KoGPT2 has <unk> for 👍🏽)
        }
        boolean anySplit =
                Arrays.stream(ids).anyMatch(id -> d.decode(new int[] {id}).contains("\uFFFD"));
        assertThat(anySplit).as("tokens of %s split characters", text).isEqualTo(expectSplits);
        if (expectSplits) {
            assertThat(heldBack).isPositive();
        }
    }

    static HuggingFaceTokenizer load(Path file) throws Exception {
        return HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false"));
    }

    static Detokenizer d(HuggingFaceTokenizer tok) {
        return ids -> tok.decode(Arrays.stream(ids).asLongStream().toArray(), false);
    }

    static int[] ids(HuggingFaceTokenizer tok, String text) {
        return Arrays.stream(tok.encode(text).getIds()).mapToInt(l -> (int) l).toArray();
    }
}
