package dev.kotune.tokenization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.testing.SharedData;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The preparer's rules and its refusals, on KoGPT2's tokenizer. */
class ExamplePreparerTest {
    private static KoTokenizer tokenizer;
    private static ExamplePreparer preparer;
    private static final Example HELLO = new Example("안녕하세요?", " 안녕하세요! 무엇을 도와드릴까요?");

    @BeforeAll
    static void load() {
        tokenizer = KoTokenizer.load(SharedData.require("kogpt2/tokenizer.json"));
        preparer = new ExamplePreparer(tokenizer, new TextLimits(200, 8));
    }

    @AfterAll
    static void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    @Test
    void withoutEosTheTextEndsWithTheCompletion() {
        PrepareOptions noEos = new PrepareOptions(PromptTemplate.NOTEBOOK, false, 64, Padding.NONE, false);

        PreparedExample row = preparer.prepare(List.of(HELLO), noEos).examples().get(0);

        assertThat(row.inputIds()).containsExactly(tokenizer.encodeIds("질문: 안녕하세요?\n답변: 안녕하세요! 무엇을 도와드릴까요?"));
        assertThat(row.labels()).containsExactly(row.inputIds());
    }

    @Test
    void aCustomTemplateMasksItsOwnPromptPart() {
        PromptTemplate template = new PromptTemplate("Q: {prompt} A:{completion}");
        PrepareOptions options = new PrepareOptions(template, true, 64, Padding.NONE, true);

        PreparedExample row =
                preparer.prepare(List.of(HELLO), options).examples().get(0);

        int promptTokens = tokenizer.encodeIds("Q: 안녕하세요? A:").length;
        assertThat(row.promptLength()).isEqualTo(promptTokens);
        for (int t = 0; t < row.length(); t++) {
            assertThat(row.labels()[t]).isEqualTo(t < promptTokens ? -100 : row.inputIds()[t]);
        }
        assertThat(row.inputIds()[row.length() - 1]).isEqualTo(1);
    }

    @Test
    void placeholdersInTheDataAreKeptLiterally() {
        PrepareOptions options = new PrepareOptions(PromptTemplate.NOTEBOOK, false, 64, Padding.NONE, false);

        PreparedExample row = preparer.prepare(List.of(new Example("{completion}", " {prompt}")), options)
                .examples()
                .get(0);

        assertThat(tokenizer.decode(row.inputIds(), false)).isEqualTo("질문: {completion}\n답변: {prompt}");
    }

    @Test
    void rejectsATemplateWithoutPrompt() {
        assertThatThrownBy(() -> new PromptTemplate("답변:{completion}"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.field()).isEqualTo("template");
                    assertThat(e.rule()).contains("{prompt}");
                });
    }

    @Test
    void rejectsATemplateWithCompletionBeforePrompt() {
        assertThatThrownBy(() -> new PromptTemplate("{completion} {prompt}"))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("template"));
    }

    @Test
    void rejectsMaxLengthZeroAndAboveTheModelMaximum() {
        for (int bad : new int[] {0, -1, 1025}) {
            PrepareOptions options = new PrepareOptions(PromptTemplate.NOTEBOOK, true, bad, Padding.MAX_LENGTH, false);
            assertThatThrownBy(() -> preparer.prepare(List.of(HELLO), options))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                        assertThat(e.field()).isEqualTo("max_length");
                        assertThat(e.rule()).contains("[1, 1024]").contains(String.valueOf(bad));
                    });
        }
    }

    @Test
    void acceptsMaxLengthAtTheModelMaximum() {
        PrepareOptions options = new PrepareOptions(PromptTemplate.NOTEBOOK, true, 1024, Padding.MAX_LENGTH, false);

        assertThat(preparer.prepare(List.of(HELLO), options).examples().get(0).inputIds())
                .hasSize(1024);
    }

    @Test
    void rejectsAnEmptyBatchAndOneOverTheLimit() {
        assertThatThrownBy(() -> preparer.prepare(List.of(), PrepareOptions.DEFAULTS))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("examples"));
        assertThatThrownBy(() -> preparer.prepare(Collections.nCopies(9, HELLO), PrepareOptions.DEFAULTS))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.field()).isEqualTo("examples");
                    assertThat(e.rule()).contains("1 to 8").contains("9");
                });
    }

    @Test
    void rejectsABlankPromptNamingTheExample() {
        List<Example> batch = List.of(HELLO, new Example(" \n\u00a0", " 답"));

        assertThatThrownBy(() -> preparer.prepare(batch, PrepareOptions.DEFAULTS))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("examples[1].prompt"));
    }

    @Test
    void rejectsAnEmptyCompletion() {
        assertThatThrownBy(() -> preparer.prepare(List.of(new Example("질문", "")), PrepareOptions.DEFAULTS))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("examples[0].completion"));
    }

    @Test
    void rejectsATextOverTheSizeLimit() {
        Example big = new Example("가".repeat(70), " 답"); // 210 bytes of UTF-8 in the prompt alone

        assertThatThrownBy(() -> preparer.prepare(List.of(big), PrepareOptions.DEFAULTS))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.field()).isEqualTo("examples[0].prompt");
                    assertThat(e.rule()).contains("200 bytes");
                });
    }
}
