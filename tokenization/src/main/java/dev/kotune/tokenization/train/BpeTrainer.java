package dev.kotune.tokenization.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Learns a BPE model from word counts the way Hugging Face tokenizers' {@code BpeTrainer} (0.23) does, so that both
 * learn the same vocabulary and merges from the same words:
 *
 * <ol>
 *   <li>the special tokens take the first ids, in order;
 *   <li>the alphabet: every character (code point) of the words, weighted by word count, plus the initial
 *       alphabet; with {@code limitAlphabet}, the least frequent characters are dropped (ties: the lower code point
 *       goes first; initial-alphabet characters are dropped last). The kept characters get the next ids in code
 *       point order;
 *   <li>each word becomes the ids of its characters (characters outside the alphabet are left out);
 *   <li>merge loop: take the most frequent adjacent pair (ties: the smallest (left id, right id)), stop when the
 *       vocabulary has {@code vocabSize} tokens, no pair is left or the pair is seen fewer than {@code minFrequency}
 *       times; otherwise add left+right as a token (or reuse its id when that string is a token already), record the
 *       merge and apply it to every word that has the pair.
 * </ol>
 *
 * <p>Like the reference it keeps a lazy priority queue: an entry holds the pair's count and the words where it was
 * seen, a stale count is refreshed and the entry queued again, and a merged pair's own count is never decreased.
 * Where the reference's order is not fixed (a pair queued twice with the same count, ties in the alphabet limit) this
 * trainer is still deterministic: entries are first in, first out. A pair merged twice (possible only when a merged
 * string was a token already) keeps its last rank, as the reference's model does. The result depends only on the
 * word counts, not on the order words were counted in.
 *
 * <p>Stateless between calls; thread-safe (each {@link #train} call works on its own data).
 */
public final class BpeTrainer {
    private final BpeTrainerOptions options;

    public BpeTrainer(BpeTrainerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public BpeTrainerOptions options() {
        return options;
    }

    /** Learns a model from {@code wordCounts} (word → count ≥ 1). */
    public BpeModel train(Map<String, Long> wordCounts) {
        String[] words = wordCounts.keySet().toArray(new String[0]);
        Arrays.sort(words);
        long[] counts = new long[words.length];
        for (int i = 0; i < words.length; i++) {
            counts[i] = wordCounts.get(words[i]);
            if (counts[i] < 1) {
                throw new IllegalArgumentException("word count must be >= 1: '" + words[i] + "' " + counts[i]);
            }
        }
        Vocabulary vocab = new Vocabulary();
        options.specialTokens().forEach(vocab::addIfAbsent);
        int beforeAlphabet = vocab.size();
        for (int cp : alphabet(words, counts)) {
            vocab.addIfAbsent(new String(Character.toChars(cp)));
        }
        int alphabetSize = vocab.size() - beforeAlphabet;

        SymbolWord[] symbolWords = new SymbolWord[words.length];
        for (int i = 0; i < words.length; i++) {
            symbolWords[i] = toSymbols(words[i], vocab);
        }
        List<long[]> learned = mergeLoop(symbolWords, counts, vocab);
        return new BpeModel(vocab.tokens, rankedMerges(learned, vocab), alphabetSize);
    }

    /** The code points kept in the alphabet, ascending. */
    private int[] alphabet(String[] words, long[] counts) {
        Map<Integer, Long> frequency = new HashMap<>();
        for (int i = 0; i < words.length; i++) {
            long count = counts[i];
            words[i].codePoints().forEach(cp -> frequency.merge(cp, count, BpeTrainer::saturatedAdd));
        }
        for (int cp : options.initialCodePoints()) {
            frequency.put(cp, Long.MAX_VALUE);
        }
        List<Map.Entry<Integer, Long>> kept = new ArrayList<>(frequency.entrySet());
        int limit = options.limitAlphabet().orElse(Integer.MAX_VALUE);
        if (kept.size() > limit) {
            kept.sort(Map.Entry.<Integer, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
            kept = kept.subList(kept.size() - limit, kept.size());
        }
        return kept.stream().mapToInt(Map.Entry::getKey).sorted().toArray();
    }

    private static SymbolWord toSymbols(String word, Vocabulary vocab) {
        int[] ids = word.codePoints()
                .mapToObj(cp -> vocab.ids.get(new String(Character.toChars(cp))))
                .filter(Objects::nonNull)
                .mapToInt(Integer::intValue)
                .toArray();
        return new SymbolWord(ids, ids.length);
    }

    /** Runs the merge loop; returns the merges as {pair key, merged id}, in the order learned. */
    private List<long[]> mergeLoop(SymbolWord[] words, long[] counts, Vocabulary vocab) {
        PairCounts pairCounts = new PairCounts(1 << 16);
        Map<Long, IntList> seenIn = new HashMap<>();
        for (int i = 0; i < words.length; i++) {
            SymbolWord w = words[i];
            for (int j = 0; j + 1 < w.length(); j++) {
                long pair = PairCounts.key(w.symbol(j), w.symbol(j + 1));
                pairCounts.add(pair, counts[i]);
                seenIn.computeIfAbsent(pair, k -> new IntList()).addIfNotLast(i);
            }
        }
        Queue queue = new Queue();
        seenIn.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> queue.offer(e.getKey(), pairCounts.get(e.getKey()), e.getValue()));

        List<long[]> learned = new ArrayList<>();
        while (vocab.size() < options.vocabSize() && !queue.isEmpty()) {
            Entry top = queue.poll();
            long current = pairCounts.get(top.pair);
            if (current < 0) {
                throw new IllegalStateException("pair count went negative (trainer bug): " + top.pair);
            }
            if (top.count != current) {
                queue.offer(top.pair, current, top.words);
                continue;
            }
            if (top.count < 1 || options.minFrequency() > top.count) {
                break;
            }
            int left = PairCounts.left(top.pair);
            int right = PairCounts.right(top.pair);
            int merged = vocab.addIfAbsent(vocab.tokens.get(left) + vocab.tokens.get(right));
            learned.add(new long[] {top.pair, merged});

            Map<Long, IntList> gained = new LinkedHashMap<>();
            for (int k = 0; k < top.words.size(); k++) {
                int wi = top.words.get(k);
                long wordCount = counts[wi];
                words[wi].merge(left, right, merged, (pair, delta) -> {
                    pairCounts.add(pair, delta * wordCount);
                    if (delta > 0) {
                        gained.computeIfAbsent(pair, p -> new IntList()).addIfNotLast(wi);
                    }
                });
            }
            for (Map.Entry<Long, IntList> e : gained.entrySet()) {
                long count = pairCounts.get(e.getKey());
                if (count > 0) {
                    queue.offer(e.getKey(), count, e.getValue());
                }
            }
        }
        return learned;
    }

    /** Merges by rank; a pair learned twice keeps only its last rank. */
    private static List<BpeMerge> rankedMerges(List<long[]> learned, Vocabulary vocab) {
        Map<Long, Integer> lastRank = new HashMap<>();
        for (int i = 0; i < learned.size(); i++) {
            lastRank.put(learned.get(i)[0], i);
        }
        List<BpeMerge> merges = new ArrayList<>(lastRank.size());
        for (int i = 0; i < learned.size(); i++) {
            long pair = learned.get(i)[0];
            if (lastRank.get(pair) == i) {
                merges.add(new BpeMerge(
                        vocab.tokens.get(PairCounts.left(pair)), vocab.tokens.get(PairCounts.right(pair))));
            }
        }
        return merges;
    }

    private static long saturatedAdd(long a, long b) {
        long s = a + b;
        return ((a ^ s) & (b ^ s)) < 0 ? Long.MAX_VALUE : s;
    }

    /** Token ↔ id, ids in insertion order. */
    private static final class Vocabulary {
        final List<String> tokens = new ArrayList<>();
        final Map<String, Integer> ids = new HashMap<>();

        int addIfAbsent(String token) {
            Integer id = ids.get(token);
            if (id != null) {
                return id;
            }
            tokens.add(token);
            ids.put(token, tokens.size() - 1);
            return tokens.size() - 1;
        }

        int size() {
            return tokens.size();
        }
    }

    /** A queued pair: its count when queued and the words it was seen in (ascending). */
    private static final class Entry {
        final long pair;
        final long count;
        final IntList words;
        final long sequence;

        Entry(long pair, long count, IntList words, long sequence) {
            this.pair = pair;
            this.count = count;
            this.words = words;
            this.sequence = sequence;
        }
    }

    /** Most frequent first, then the smallest pair, then first queued. */
    private static final class Queue {
        private final PriorityQueue<Entry> heap = new PriorityQueue<>(Comparator.comparingLong((Entry e) -> -e.count)
                .thenComparingLong(e -> e.pair)
                .thenComparingLong(e -> e.sequence));
        private long sequence;

        void offer(long pair, long count, IntList words) {
            heap.add(new Entry(pair, count, words, sequence++));
        }

        Entry poll() {
            return heap.poll();
        }

        boolean isEmpty() {
            return heap.isEmpty();
        }
    }
}
