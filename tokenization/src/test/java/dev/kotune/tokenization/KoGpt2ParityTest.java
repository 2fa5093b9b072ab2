package dev.kotune.tokenization;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.testing.RepoFiles;
import dev.kotune.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KoGPT2's real tokenizer against the Python oracle (tokenizers 0.23.3 / transformers 5.23.0, pinned in
 * conformance/): the notebook's canonical text, edge cases, decode, and every line of the nsmc and ChatbotData
 * corpora (per-line length + sha256 of the ids, full ids for the first 200 lines).
 */
class KoGpt2ParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KoTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = KoTokenizer.load(SharedData.require("kogpt2/tokenizer.json"));
    }

    @AfterAll
    static void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    @Test
    void encodesTheNotebookTextToTheIdsTheNotebookPrinted() {
        int[] ids = tokenizer.encodeIds("질문: 안녕하세요?\n답변: 안녕하세요! 무엇을 도와드릴까요?");

        assertThat(ids)
                .containsExactly(
                        24454, 401, 25906, 8702, 7801, 13675, 7192, 7643, 401, 25906, 8702, 7801, 8084, 376, 22375,
                        14355, 7281, 7481, 6969, 8084, 406);
    }

    @Test
    void tokenizerFileIsTheOneTheGoldensWereMadeWith() throws IOException {
        JsonNode golden = golden("tokenizer/encode_decode_cases.json");

        assertThat(tokenizer.info().sha256())
                .isEqualTo(golden.path("tokenizer").path("sha256").asText());
        assertThat(tokenizer.info().vocabSize())
                .isEqualTo(golden.path("vocab_size").asInt());
        golden.path("special_ids")
                .fields()
                .forEachRemaining(e -> assertThat(tokenizer.info().specialTokens())
                        .as("special token %s", e.getKey())
                        .anySatisfy(t -> {
                            assertThat(t.token()).isEqualTo(e.getKey());
                            assertThat(t.id()).isEqualTo(e.getValue().asInt());
                        }));
    }

    @Test
    void encodesEdgeCasesAsPythonTokenizersWithTokensAndOffsets() throws IOException {
        JsonNode golden = golden("tokenizer/encode_decode_cases.json");
        EncodeOptions all = new EncodeOptions(false, true, true);

        for (JsonNode c : golden.path("encode_cases")) {
            String text = c.path("text").asText();
            TokenEncoding enc = tokenizer.encode(text, all);

            assertThat(enc.ids()).as("ids of %s", text).containsExactly(ints(c.path("ids")));
            assertThat(enc.tokens()).as("tokens of %s", text).containsExactlyElementsOf(strings(c.path("tokens")));
            List<TokenOffset> expected = new ArrayList<>();
            for (JsonNode o : c.path("offsets")) { // golden offsets count code points (Python str indices)
                expected.add(new TokenOffset(
                        utf16(text, o.get(0).asInt()), utf16(text, o.get(1).asInt())));
            }
            assertThat(enc.offsets()).as("offsets of %s", text).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void batchEncodingEqualsOneByOneEncoding() throws IOException {
        JsonNode golden = golden("tokenizer/encode_decode_cases.json");
        List<String> texts = new ArrayList<>();
        golden.path("encode_cases").forEach(c -> texts.add(c.path("text").asText()));
        EncodeOptions all = new EncodeOptions(false, true, true);

        List<TokenEncoding> batch = tokenizer.encodeBatch(texts, all);

        for (int i = 0; i < texts.size(); i++) {
            assertThat(batch.get(i)).isEqualTo(tokenizer.encode(texts.get(i), all));
        }
    }

    @Test
    void decodesAsPythonTokenizersWithAndWithoutSpecialTokens() throws IOException {
        JsonNode golden = golden("tokenizer/encode_decode_cases.json");
        List<int[]> sequences = new ArrayList<>();
        golden.path("decode_cases").forEach(c -> sequences.add(ints(c.path("ids"))));

        List<String> kept = tokenizer.decodeBatch(sequences, false);
        List<String> skipped = tokenizer.decodeBatch(sequences, true);

        int i = 0;
        for (JsonNode c : golden.path("decode_cases")) {
            assertThat(kept.get(i))
                    .as("decode %s", c.path("ids"))
                    .isEqualTo(c.path("skip_special_tokens_false").asText());
            assertThat(skipped.get(i))
                    .as("decode skipping specials %s", c.path("ids"))
                    .isEqualTo(c.path("skip_special_tokens_true").asText());
            assertThat(tokenizer.decode(sequences.get(i), true)).isEqualTo(skipped.get(i));
            i++;
        }
    }

    @Test
    void everyNsmcReviewEncodesAsPythonTokenizers() throws IOException {
        assertCorpusParity(
                "tokenizer/encode_nsmc.json", Corpora.lines(SharedData.require("nsmc/nsmc_reviews_sample.txt")));
    }

    @Test
    void everyChatbotQuestionEncodesAsPythonTokenizers() throws IOException {
        assertCorpusParity(
                "tokenizer/encode_chatbot_q.json",
                Corpora.csvColumn(SharedData.require("chatbot/ChatbotData.csv"), "Q"));
    }

    @Test
    void everyChatbotAnswerEncodesAsPythonTokenizers() throws IOException {
        assertCorpusParity(
                "tokenizer/encode_chatbot_a.json",
                Corpora.csvColumn(SharedData.require("chatbot/ChatbotData.csv"), "A"));
    }

    private static void assertCorpusParity(String goldenFile, List<String> texts) throws IOException {
        JsonNode golden = golden(goldenFile);
        assertThat(texts)
                .as("texts read from %s", golden.path("source").path("file").asText())
                .hasSize(golden.path("count").asInt());

        int[][] ids = new int[texts.size()][];
        for (int from = 0; from < texts.size(); from += 1024) {
            int[][] chunk = tokenizer.encodeIds(texts.subList(from, Math.min(texts.size(), from + 1024)), true);
            System.arraycopy(chunk, 0, ids, from, chunk.length);
        }

        JsonNode lengths = golden.path("lengths");
        JsonNode digests = golden.path("sha256");
        long total = 0;
        int max = 0;
        int mismatches = 0;
        List<String> firstMismatches = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            total += ids[i].length;
            max = Math.max(max, ids[i].length);
            boolean same = ids[i].length == lengths.get(i).asInt()
                    && digest(ids[i]).equals(digests.get(i).asText());
            if (!same) {
                mismatches++;
                if (firstMismatches.size() < 5) {
                    firstMismatches.add("line " + i + " '" + texts.get(i) + "'");
                }
            }
        }
        assertThat(mismatches)
                .as("texts whose ids differ from Python tokenizers, first: %s", firstMismatches)
                .isZero();
        assertThat(total).isEqualTo(golden.path("total_tokens").asLong());
        assertThat(max).isEqualTo(golden.path("max_tokens").asInt());
        JsonNode full = golden.path("ids");
        for (int i = 0; i < full.size(); i++) {
            assertThat(ids[i]).as("ids of line %d", i).containsExactly(ints(full.get(i)));
        }
    }

    private static String digest(int[] ids) {
        StringBuilder joined = new StringBuilder(ids.length * 6);
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                joined.append(',');
            }
            joined.append(ids[i]);
        }
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(joined.toString().getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void digestFollowsTheGoldenRule() throws IOException {
        JsonNode example = golden("tokenizer/encode_nsmc.json").path("digest_example");

        assertThat(digest(ints(example.path("ids"))))
                .isEqualTo(example.path("sha256").asText());
    }

    static JsonNode golden(String relative) throws IOException {
        Path p = RepoFiles.conformance("goldens/" + relative);
        return JSON.readTree(p.toFile());
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int utf16(String text, int codePoints) {
        return text.offsetByCodePoints(0, codePoints);
    }
}
