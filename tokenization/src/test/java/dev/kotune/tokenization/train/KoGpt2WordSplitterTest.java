package dev.kotune.tokenization.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KoGpt2WordSplitterTest {
    private final KoGpt2WordSplitter splitter = new KoGpt2WordSplitter();

    @Test
    void prependsAMetaspaceAndCutsBeforeEachSpace() {
        assertThat(splitter.words("질문: 안녕하세요?")).containsExactly("▁질문:", "▁안녕하세요?");
    }

    @Test
    void keepsRepeatedSpacesAsLoneMetaspaces() {
        assertThat(splitter.words("a  b ")).containsExactly("▁a", "▁", "▁b", "▁");
    }

    @Test
    void doesNotPrependWhenTheTextStartsWithASpace() {
        assertThat(splitter.words(" a")).containsExactly("▁a");
    }

    @Test
    void keepsLineBreaksAndTabsInsideWords() {
        assertThat(splitter.words("요?\n답변:\t네")).containsExactly("▁요?\n답변:\t네");
    }

    @Test
    void givesNoWordsForAnEmptyText() {
        assertThat(splitter.words("")).isEmpty();
    }

    @Test
    void appliesNfkcFirst() {
        // Full-width letters and the ideographic space (U+3000) become ASCII; a decomposed syllable is composed.
        assertThat(splitter.words("ＡＢ\u3000\u1100\u1161")).containsExactly("▁AB", "▁가");
    }
}
