package dev.kotune.engine.stop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {

    private static List<String> feed(StopStringMatcher s, String... pieces) {
        List<String> out = new ArrayList<>();
        for (String p : pieces) {
            out.add(s.append(p));
        }
        return out;
    }

    @Test
    void holdsBackTextThatCouldBeTheStartOfAStopStringAndReleasesItWhenItIsNot() {
        StopStringMatcher s = new StopStringMatcher(List.of("\n질문:"));
        assertThat(feed(s, " 안녕", "하세요\n", "질", "문이")).containsExactly(" 안녕", "하세요", "", "\n질문이");
        assertThat(s.matched()).isFalse();
        assertThat(s.finish()).isEmpty();
        assertThat(s.text()).isEqualTo(" 안녕하세요\n질문이");
    }

    @Test
    void endsTheTextRightBeforeAStopStringSpreadOverSeveralPieces() {
        StopStringMatcher s = new StopStringMatcher(List.of("\n질문:"));
        assertThat(feed(s, " 네", "!\n", "질문", ": 다음", " 것")).containsExactly(" 네", "!", "", "", "");
        assertThat(s.matched()).isTrue();
        assertThat(s.text()).isEqualTo(" 네!");
        assertThat(s.finish()).isEmpty();
    }

    @Test
    void theEarliestOfSeveralStopStringMatcherWins() {
        StopStringMatcher s = new StopStringMatcher(List.of("다음", "요."));
        assertThat(s.append(" 좋아요. 다음")).isEqualTo(" 좋아");
        assertThat(s.text()).isEqualTo(" 좋아");
    }

    @Test
    void releasesWhatIsHeldBackAtTheEnd() {
        StopStringMatcher s = new StopStringMatcher(List.of("끝."));
        assertThat(s.append(" 이제 끝")).isEqualTo(" 이제 ");
        assertThat(s.finish()).isEqualTo("끝");
        assertThat(s.text()).isEqualTo(" 이제 끝");
    }

    @Test
    void withoutStopStringMatcherEverythingPassesAtOnce() {
        StopStringMatcher s = new StopStringMatcher(List.of());
        assertThat(feed(s, "a", "", "bc")).containsExactly("a", "", "bc");
        assertThat(s.finish()).isEmpty();
    }

    @Test
    void includeStopStrInOutputKeepsTheStopStringAndNothingAfterIt() {
        StopStringMatcher s = new StopStringMatcher(List.of("\n질문:"), true);
        assertThat(feed(s, " 네", "!\n", "질문", ": 다음")).containsExactly(" 네", "!", "", "\n질문:");
        assertThat(s.matched()).isTrue();
        assertThat(s.text()).isEqualTo(" 네!\n질문:");
    }
}
