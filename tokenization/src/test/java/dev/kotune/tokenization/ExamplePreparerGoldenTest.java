package dev.kotune.tokenization;

import static dev.kotune.tokenization.KoGpt2ParityTest.golden;
import static dev.kotune.tokenization.KoGpt2ParityTest.ints;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.testing.RepoFiles;
import dev.kotune.testing.SharedData;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PrepareExamples on the notebook's four examples equals transformers' tokenizer call (padding, truncation=True,
 * max_length, attention mask) plus the masking rules, for every case the oracle generated.
 */
class ExamplePreparerGoldenTest {
    private static KoTokenizer tokenizer;
    private static JsonNode golden;
    private static List<Example> examples;

    @BeforeAll
    static void load() throws Exception {
        tokenizer = KoTokenizer.load(SharedData.require("kogpt2/tokenizer.json"));
        golden = golden("prepare/notebook_examples.json");
        byte[] examplesFile = Files.readAllBytes(RepoFiles.conformance("data/notebook_examples.json"));
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(examplesFile)))
                .as("conformance/data/notebook_examples.json changed since the goldens were made")
                .isEqualTo(golden.path("examples_sha256").asText());
        examples = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(examplesFile)) {
            examples.add(
                    new Example(e.path("prompt").asText(), e.path("completion").asText()));
        }
    }

    @AfterAll
    static void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    @Test
    void goldensWereMadeWithTheNotebookTemplateAndThisTokenizer() {
        assertThat(golden.path("tokenizer").path("sha256").asText())
                .isEqualTo(tokenizer.info().sha256());
        assertThat(golden.path("text_template").asText()).isEqualTo(PromptTemplate.NOTEBOOK.text() + "</s>");
        assertThat(golden.path("pad").path("id").asInt())
                .isEqualTo(tokenizer
                        .info()
                        .token(SpecialTokenRole.PAD)
                        .orElseThrow()
                        .id());
        assertThat(golden.path("eos").path("id").asInt())
                .isEqualTo(tokenizer
                        .info()
                        .token(SpecialTokenRole.EOS)
                        .orElseThrow()
                        .id());
    }

    @Test
    void everyOracleCaseIsReproduced() {
        ExamplePreparer preparer = new ExamplePreparer(tokenizer, TextLimits.DEFAULT);
        assertThat(golden.path("cases").size()).isGreaterThanOrEqualTo(18);

        for (JsonNode c : golden.path("cases")) {
            String name = c.path("name").asText();
            PrepareOptions options = new PrepareOptions(
                    PromptTemplate.NOTEBOOK,
                    true,
                    c.path("max_length").asInt(),
                    padding(c.path("padding").asText()),
                    c.path("completion_only").asBoolean());

            PreparedBatch batch = preparer.prepare(examples, options);

            int truncated = 0;
            for (int i = 0; i < examples.size(); i++) {
                PreparedExample row = batch.examples().get(i);
                assertThat(row.inputIds())
                        .as("%s input_ids[%d]", name, i)
                        .containsExactly(ints(c.path("input_ids").get(i)));
                assertThat(row.attentionMask())
                        .as("%s attention_mask[%d]", name, i)
                        .containsExactly(ints(c.path("attention_mask").get(i)));
                assertThat(row.labels())
                        .as("%s labels[%d]", name, i)
                        .containsExactly(ints(c.path("labels").get(i)));
                assertThat(row.length())
                        .as("%s lengths[%d]", name, i)
                        .isEqualTo(c.path("lengths").get(i).asInt());
                assertThat(row.untruncatedLength())
                        .as("%s untruncated_lengths[%d]", name, i)
                        .isEqualTo(c.path("untruncated_lengths").get(i).asInt());
                assertThat(row.truncated())
                        .as("%s truncated[%d]", name, i)
                        .isEqualTo(c.path("truncated").get(i).asBoolean());
                assertThat(targetTokens(row))
                        .as("%s target_tokens[%d]", name, i)
                        .isEqualTo(c.path("target_tokens").get(i).asInt());
                truncated += row.truncated() ? 1 : 0;
            }
            assertThat(batch.truncatedCount()).isEqualTo(truncated);
            assertThat(batch.tokenizerSha256()).isEqualTo(tokenizer.info().sha256());
        }
    }

    @Test
    void promptLengthIsTheTokenCountOfThePromptPart() {
        PreparedBatch batch =
                new ExamplePreparer(tokenizer, TextLimits.DEFAULT).prepare(examples, PrepareOptions.DEFAULTS);

        int i = 0;
        for (JsonNode u : golden.path("untruncated")) {
            assertThat(u.path("prompt_is_prefix").asBoolean()).isTrue();
            assertThat(batch.examples().get(i).promptLength())
                    .isEqualTo(u.path("prompt_ids").size());
            assertThat(batch.examples().get(i).inputIds()).startsWith(ints(u.path("prompt_ids")));
            i++;
        }
    }

    /** Labels that count in the loss after the causal shift (labels[1:] != -100), as the oracle counts them. */
    private static int targetTokens(PreparedExample row) {
        int n = 0;
        for (int t = 1; t < row.labels().length; t++) {
            n += row.labels()[t] != PreparedExample.IGNORE_INDEX ? 1 : 0;
        }
        return n;
    }

    private static Padding padding(String hf) {
        return switch (hf.toLowerCase(Locale.ROOT)) {
            case "max_length" -> Padding.MAX_LENGTH;
            case "longest" -> Padding.LONGEST;
            case "do_not_pad" -> Padding.NONE;
            default -> throw new IllegalArgumentException("unknown padding " + hf);
        };
    }
}
