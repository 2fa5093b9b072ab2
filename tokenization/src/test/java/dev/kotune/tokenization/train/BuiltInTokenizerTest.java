package dev.kotune.tokenization.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.testing.RepoFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The committed built-in tokenizer as DJL loads it; needs no shared data. */
class BuiltInTokenizerTest {
    private static final long UNK = 5;
    private static HuggingFaceTokenizer djl;

    @BeforeAll
    static void load() throws IOException {
        djl = HuggingFaceTokenizer.newInstance(
                BuiltInTokenizer.file("tokenizer.json"),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    }

    @AfterAll
    static void close() {
        djl.close();
    }

    @Test
    void hasKoGpt2sSpecialTokensAtIdsZeroToSix() throws IOException {
        JsonNode json = new ObjectMapper()
                .readTree(BuiltInTokenizer.file("tokenizer.json").toFile());

        List<String> added = new ArrayList<>();
        for (JsonNode t : json.get("added_tokens")) {
            assertThat(t.get("id").asInt()).isEqualTo(added.size());
            assertThat(t.get("special").asBoolean()).isTrue();
            assertThat(t.get("normalized").asBoolean()).isFalse();
            added.add(t.get("content").asText());
        }
        assertThat(added).containsExactlyElementsOf(KoGpt2Conventions.SPECIAL_TOKENS);
        for (int id = 0; id < added.size(); id++) {
            assertThat(json.get("model").get("vocab").get(added.get(id)).asInt())
                    .isEqualTo(id);
            assertThat(djl.encode(added.get(id)).getIds()).containsExactly(id);
        }
        assertThat(json.get("model").get("vocab").size()).isEqualTo(BuiltInTokenizer.VOCAB_SIZE);
        assertThat(json.get("model").get("unk_token").asText()).isEqualTo("<unk>");
    }

    @Test
    void encodesTheNotebookExamplesAsPythonTokenizersDoesWithoutUnk() throws IOException {
        JsonNode notebook = BuiltInTokenizer.golden().get("notebook");

        assertThat(notebook).hasSize(4);
        for (JsonNode example : notebook) {
            String text = example.get("text").asText();
            long[] expected = new ObjectMapper().convertValue(example.get("ids"), long[].class);
            long[] ids = djl.encode(text).getIds();
            assertThat(ids).as(text).containsExactly(expected).doesNotContain(UNK);
        }
    }

    @Test
    void decodeOfEncodeGivesBackTheNormalizedNotebookTexts() throws IOException {
        JsonNode examples = new ObjectMapper()
                .readTree(RepoFiles.require("conformance/data/notebook_examples.json")
                        .toFile());
        List<String> texts = new ArrayList<>();
        for (JsonNode e : examples) {
            String prompt = e.get("prompt").asText();
            texts.add(prompt);
            texts.add("질문: " + prompt + "\n답변:" + e.get("completion").asText());
            texts.add(e.get("completion").asText().strip());
        }

        for (String text : texts) {
            long[] ids = djl.encode(text).getIds();
            assertThat(ids).as(text).doesNotContain(UNK);
            assertThat(djl.decode(ids)).isEqualTo(Normalizer.normalize(text, Normalizer.Form.NFKC));
        }
    }

    @Test
    void tokenizerConfigGivesKoGpt2sRoles() throws IOException {
        JsonNode config = new ObjectMapper()
                .readTree(BuiltInTokenizer.file("tokenizer_config.json").toFile());

        assertThat(config.get("bos_token").asText()).isEqualTo("</s>");
        assertThat(config.get("eos_token").asText()).isEqualTo("</s>");
        assertThat(config.get("pad_token").asText()).isEqualTo("<pad>");
        assertThat(config.get("unk_token").asText()).isEqualTo("<unk>");
        assertThat(config.get("mask_token").asText()).isEqualTo("<mask>");
        assertThat(config.get("model_max_length").asInt()).isEqualTo(1024);
    }

    @Test
    void readmeAndGoldenNameTheCommittedFileAndItsCommand() throws IOException {
        String sha = TrainedTokenizer.sha256(Files.readAllBytes(BuiltInTokenizer.file("tokenizer.json")));
        String readme = Files.readString(BuiltInTokenizer.file("README.md"));

        assertThat(BuiltInTokenizer.golden().get("tokenizer").get("sha256").asText())
                .isEqualTo(sha);
        assertThat(readme).contains(sha).contains(BuiltInTokenizer.command());
    }
}
