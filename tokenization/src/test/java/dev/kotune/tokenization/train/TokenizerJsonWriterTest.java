package dev.kotune.tokenization.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerJsonWriterTest {
    private static final Map<String, String> NO_EXTRAS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

    @TempDir
    Path dir;

    @Test
    void writesTheLayoutTokenizersWrites() {
        BpeModel model =
                new BpeModel(List.of("<unk>", "\"", "a", "\u0001", "▁", "▁a"), List.of(new BpeMerge("▁", "a")), 4);

        String json =
                new String(new TokenizerJsonWriter(List.of("<unk>"), "<unk>").write(model), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("""
        {
          "version": "1.0",
          "truncation": null,
          "padding": null,
          "added_tokens": [
            {
              "id": 0,
              "content": "<unk>",
              "single_word": false,
              "lstrip": false,
              "rstrip": false,
              "normalized": false,
              "special": true
            }
          ],
          "normalizer": {
            "type": "Sequence",
            "normalizers": [
              {
                "type": "NFKC"
              },
              {
                "type": "BertNormalizer",
                "clean_text": false,
                "handle_chinese_chars": false,
                "strip_accents": false,
                "lowercase": false
              }
            ]
          },
          "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
              {
                "type": "Metaspace",
                "replacement": "▁",
                "prepend_scheme": "always",
                "split": true
              }
            ]
          },
          "post_processor": null,
          "decoder": {
            "type": "Metaspace",
            "replacement": "▁",
            "prepend_scheme": "always",
            "split": true
          },
          "model": {
            "type": "BPE",
            "dropout": null,
            "unk_token": "<unk>",
            "continuing_subword_prefix": null,
            "end_of_word_suffix": null,
            "fuse_unk": false,
            "byte_fallback": false,
            "ignore_merges": false,
            "vocab": {
              "<unk>": 0,
              "\\"": 1,
              "a": 2,
              "\\u0001": 3,
              "▁": 4,
              "▁a": 5
            },
            "merges": [
              [
                "▁",
                "a"
              ]
            ]
          }
        }""");
    }

    @Test
    void escapesControlCharactersAsSerdeJsonDoes() {
        StringBuilder out = new StringBuilder();
        PrettyJson.string(out, "\b\t\n\f\r\u001f\u007f\\/한");

        assertThat(out.toString()).isEqualTo("\"\\b\\t\\n\\f\\r\\u001f\u007f\\\\/한\"");
    }

    @Test
    void trainsTheSameBytesTwiceWhateverTheOrderOfTheSources() throws IOException {
        Path a = Files.writeString(dir.resolve("a.txt"), "오늘 날씨 어때?\n오늘은 맑고 따뜻한 날씨가 예상됩니다.\n");
        Path b = Files.writeString(dir.resolve("b.csv"), "Q,A\n배고파,맛있는 음식을 드셔 보세요.\n잠이 안 와,따뜻한 우유를 마시고\n");
        CorpusSource text = CorpusSource.lines(a);
        CorpusSource csv = CorpusSource.csv(b, List.of("Q", "A"));

        TrainedTokenizer first = TokenizerTraining.kogpt2(80).train(List.of(text, csv));
        TrainedTokenizer second = TokenizerTraining.kogpt2(80).train(List.of(csv, text));

        assertThat(second.tokenizerJson()).isEqualTo(first.tokenizerJson());
        assertThat(second.sha256()).isEqualTo(first.sha256()).hasSize(64);
        assertThat(first.stats().vocabSize()).isEqualTo(80);
        assertThat(first.stats().sequences()).isEqualTo(6);
    }

    @Test
    void djlLoadsTheFileAndEncodesWithTheLearnedMerges() throws IOException {
        // The classic corpus of BpeTrainerTest with "▁" added to the alphabet: its merges, hand-computed there, get ids
        // 18.. after 7 special tokens and the alphabet d e i l n o r s t w ▁ (7..17): es 18, est 19, lo 20, low 21,
        // ew 22, new 23, newest 24, dest 25, idest 26, widest 27, er 28, lower 29.
        WordCounts counts = new WordCounts();
        counts.add("low", 5);
        counts.add("lower", 2);
        counts.add("newest", 6);
        counts.add("widest", 3);
        TrainedTokenizer trained =
                new TokenizerTraining(BpeTrainerOptions.kogpt2(100).withInitialAlphabet("▁"), 1024).train(counts);
        trained.writeTo(dir);

        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), NO_EXTRAS)) {
            // "▁lower": ▁ l o w e r → lo → low → er → lower. "▁newest": es → est → ew → new → newest.
            assertThat(djl.encode("lower newest").getIds()).containsExactly(17, 29, 17, 24);
            // "▁lowest": es → est → lo → low; no merge joins low and est.
            assertThat(djl.encode("lowest").getIds()).containsExactly(17, 21, 19);
            // 'x' is outside the alphabet: one <unk> (id 5).
            assertThat(djl.encode("x").getIds()).containsExactly(17, 5);
            assertThat(djl.decode(new long[] {17, 29, 17, 24})).isEqualTo("lower newest");
        }
    }

    @Test
    void writesKoGpt2sRolesIntoTokenizerConfig() {
        String config = new String(new TokenizerConfigWriter().write(1024), StandardCharsets.UTF_8);

        assertThat(config).isEqualTo("""
        {
          "tokenizer_class": "PreTrainedTokenizerFast",
          "bos_token": "</s>",
          "eos_token": "</s>",
          "unk_token": "<unk>",
          "pad_token": "<pad>",
          "mask_token": "<mask>",
          "model_max_length": 1024,
          "clean_up_tokenization_spaces": false
        }
        """);
    }
}
