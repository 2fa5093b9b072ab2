package dev.kotune.tokenization.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The trainer on the classic BPE corpus (Sennrich et al. 2016): low ×5, lower ×2, newest ×6, widest ×3. The
 * expected merges were worked out by hand (the working is in the comments), not by running the code.
 */
class BpeTrainerTest {
    private static final Map<String, Long> CLASSIC = Map.of("low", 5L, "lower", 2L, "newest", 6L, "widest", 3L);

    /** No special tokens, no initial alphabet: ids are the alphabet in code point order, then merges. */
    private static BpeTrainerOptions plain(int vocabSize) {
        return new BpeTrainerOptions(vocabSize, 0, OptionalInt.empty(), "", List.of());
    }

    @Test
    void learnsTheClassicMergesInHandComputedOrder() {
        BpeModel model = new BpeTrainer(plain(100)).train(CLASSIC);

        // Alphabet by code point: d0 e1 i2 l3 n4 o5 r6 s7 t8 w9.
        // Pair counts: l-o 7, o-w 7, w-e 8, e-r 2, n-e 6, e-w 6, e-s 9, s-t 9, w-i 3, i-d 3, d-e 3.
        //  1. e-s 9 ties s-t 9; (1,7) < (7,8)            → es (10); s-t drops to 0, es-t 9, w-es 6, d-es 3
        //  2. es-t 9                                     → est (11)
        //  3. l-o 7 ties o-w 7; (3,5) < (5,9)            → lo (12); lo-w 7
        //  4. lo-w 7                                     → low (13); low-e 2, w-e 0
        //  5. n-e, e-w, w-est all 6; (1,9) is smallest   → ew (14); n-ew 6, ew-est 6
        //  6. n-ew (4,14) < ew-est (14,11)               → new (15)
        //  7. new-est 6                                  → newest (16)
        //  8. w-i, i-d, d-est all 3; (0,11) is smallest  → dest (17); i-dest 3
        //  9. i-dest (2,17) < w-i (9,2)                  → idest (18)
        // 10. w-idest 3                                  → widest (19)
        // 11. e-r 2 ties low-e 2; (1,6) < (13,1)         → er (20)
        // 12. low-er 2                                   → lower (21); no pair left
        assertThat(model.merges())
                .extracting(BpeMerge::merged)
                .containsExactly(
                        "es", "est", "lo", "low", "ew", "new", "newest", "dest", "idest", "widest", "er", "lower");
        assertThat(model.merges().get(4)).isEqualTo(new BpeMerge("e", "w"));
        assertThat(model.merges().get(7)).isEqualTo(new BpeMerge("d", "est"));
        assertThat(model.vocab())
                .containsExactly(
                        "d", "e", "i", "l", "n", "o", "r", "s", "t", "w", "es", "est", "lo", "low", "ew", "new",
                        "newest", "dest", "idest", "widest", "er", "lower");
        assertThat(model.alphabetSize()).isEqualTo(10);
    }

    @Test
    void stopsWhenTheVocabularyReachesVocabSize() {
        BpeModel model = new BpeTrainer(plain(14)).train(CLASSIC);

        assertThat(model.vocab()).hasSize(14);
        assertThat(model.merges()).extracting(BpeMerge::merged).containsExactly("es", "est", "lo", "low");
    }

    @Test
    void neverMergesAPairSeenFewerThanMinFrequencyTimes() {
        // After low (7) the best pair is seen 6 times.
        BpeModel model = new BpeTrainer(plain(100).withMinFrequency(7)).train(CLASSIC);

        assertThat(model.merges()).extracting(BpeMerge::merged).containsExactly("es", "est", "lo", "low");
    }

    @Test
    void givesSpecialTokensTheFirstIdsThenTheInitialAlphabet() {
        BpeModel model = new BpeTrainer(BpeTrainerOptions.kogpt2(30)).train(CLASSIC);

        assertThat(model.vocab().subList(0, 7))
                .containsExactly("<s>", "</s>", "<usr>", "<pad>", "<sys>", "<unk>", "<mask>");
        // '\n' (U+000A) is not in the corpus but in the initial alphabet, and sorts before 'd'.
        assertThat(model.vocab().subList(7, 19))
                .containsExactly("\n", "d", "e", "i", "l", "n", "o", "r", "s", "t", "w", "es");
        assertThat(model.alphabetSize()).isEqualTo(11);
        // 30 = 7 special + 11 alphabet + 12 merges: the whole classic merge list fits exactly.
        assertThat(model.vocab()).hasSize(30);
        assertThat(model.merges()).hasSize(12);
    }

    @Test
    void keepsTheAlphabetEvenWhenVocabSizeIsSmaller() {
        BpeModel model = new BpeTrainer(BpeTrainerOptions.kogpt2(5)).train(CLASSIC);

        assertThat(model.vocab()).hasSize(7 + 11);
        assertThat(model.merges()).isEmpty();
    }

    @Test
    void limitAlphabetDropsTheRarestCharactersAndTheLowerCodePointOnTies() {
        // Character counts: r 2, d 3, i 3, l 7, o 7, n 6, s 9, t 9, w 16, e 17. Keeping 8 drops r, then d (ties i at
        // 3).
        BpeModel model = new BpeTrainer(plain(8).withLimitAlphabet(OptionalInt.of(8))).train(CLASSIC);

        assertThat(model.vocab()).containsExactly("e", "i", "l", "n", "o", "s", "t", "w");
    }

    @Test
    void charactersOutsideTheAlphabetAreLeftOutOfWords() {
        // Counts a 3, b 3, x 1: a limit of 2 drops x, so "axb" is learned as "ab" (the reference trainer does the
        // same).
        BpeModel model =
                new BpeTrainer(plain(100).withLimitAlphabet(OptionalInt.of(2))).train(Map.of("axb", 1L, "ab", 2L));

        assertThat(model.vocab()).containsExactly("a", "b", "ab");
    }

    @Test
    void overlappingPairsMergeLeftToRight() {
        // "aaa" ×1: a-a 2 → aa, leaving aa a; then aa-a 1 → aaa.
        BpeModel model = new BpeTrainer(plain(100)).train(Map.of("aaa", 1L));

        assertThat(model.merges()).containsExactly(new BpeMerge("a", "a"), new BpeMerge("aa", "a"));
    }

    @Test
    void resultDoesNotDependOnTheOrderWordsWereCounted() {
        WordCounts forward = new WordCounts();
        WordCounts backward = new WordCounts();
        List<String> texts = List.of("low lower newest", "widest newest", "질문: 안녕하세요?", "안녕  하세요", "low");
        texts.forEach(forward::addSequence);
        for (int i = texts.size() - 1; i >= 0; i--) {
            backward.addSequence(texts.get(i));
        }
        BpeTrainer trainer = new BpeTrainer(BpeTrainerOptions.kogpt2(60));

        assertThat(trainer.train(backward.asMap())).isEqualTo(trainer.train(forward.asMap()));
    }
}
