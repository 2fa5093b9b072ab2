package dev.kotune.tokenization.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DJL encodes the three training corpora with the built-in tokenizer exactly as Python tokenizers 0.23.3 did when the
 * oracle wrote its golden (same ids, checked through one digest per corpus). Needs ../shared/data.
 */
class BuiltInTokenizerParityTest {
    @Test
    void djlGivesPythonTokenizersIdsOnEveryTrainingText() throws IOException {
        JsonNode golden = BuiltInTokenizer.golden();
        assertThat(golden.get("corpora")).hasSize(BuiltInTokenizer.CORPORA.size());

        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(
                BuiltInTokenizer.file("tokenizer.json"),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
            for (int c = 0; c < BuiltInTokenizer.CORPORA.size(); c++) {
                BuiltInTokenizer.Corpus corpus = BuiltInTokenizer.CORPORA.get(c);
                JsonNode expected = golden.get("corpora").get(c);
                CorpusSource source = corpus.source();
                assertThat(expected.get("file").asText()).isEqualTo(corpus.file());
                assertThat(TrainedTokenizer.sha256(Files.readAllBytes(source.file())))
                        .as("the shared file the golden was made from")
                        .isEqualTo(expected.get("file_sha256").asText());

                List<String> texts = new ArrayList<>();
                new CorpusReader().read(source, texts::add);
                List<long[]> ids = new ArrayList<>(texts.size());
                for (Encoding e : djl.batchEncode(texts)) {
                    ids.add(e.getIds());
                }

                assertThat(texts)
                        .as(corpus.file())
                        .hasSize(expected.get("texts").asInt());
                assertThat(ids.stream().mapToLong(x -> x.length).sum())
                        .as(corpus.file())
                        .isEqualTo(expected.get("tokens").asLong());
                assertThat(ids.stream()
                                .flatMapToLong(java.util.Arrays::stream)
                                .filter(id -> id == 5)
                                .count())
                        .as(corpus.file())
                        .isEqualTo(expected.get("unk").asLong())
                        .isZero();
                assertThat(BuiltInTokenizer.digest(ids))
                        .as(corpus.file())
                        .isEqualTo(expected.get("digest").asText());
            }
        }
    }
}
