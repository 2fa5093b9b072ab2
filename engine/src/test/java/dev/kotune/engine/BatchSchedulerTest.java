package dev.kotune.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.export.GraphFlavour;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Continuous batching against solo runs: the same tokens whatever the batch-mates, joins mid-flight, cancellations,
 * dropped waiters, a full queue.
 */
class BatchSchedulerTest {

    /** A greedy step may differ from the solo run only where the solo run's top-2 gap is below this. */
    static final double TIE = 1e-4;

    static OnnxModel model;

    @BeforeAll
    static void load() throws Exception {
        model = OnnxModel.load(TestModels.tinyExport(GraphFlavour.DEFAULT));
    }

    @AfterAll
    static void close() throws Exception {
        model.close();
    }

    /** Collects one request's tokens; cancels itself after {@code cancelAfter} tokens when that is >= 0. */
    static final class Collector implements BatchScheduler.Listener {
        final List<Integer> tokens = new ArrayList<>();
        final int cancelAfter;
        volatile boolean gone;

        Collector(int cancelAfter) {
            this.cancelAfter = cancelAfter;
        }

        @Override
        public void onToken(int index, GeneratedToken token) {
            tokens.add(token.id());
            if (cancelAfter >= 0 && tokens.size() >= cancelAfter) {
                gone = true; // the client disconnects
            }
        }

        @Override
        public boolean isCancelled() {
            return gone;
        }
    }

    record Case(int[] prompt, SamplingParams params, int cancelAfter, long delayMillis) {}

    @Test
    void greedyRequestsGiveTheirSoloTokensWhileJoiningAndLeavingABusyBatch() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int[] prompt = random.ints(3 + random.nextInt(45), 5, 51200).toArray();
            SamplingParams.Builder p = SamplingParams.builder().maxNewTokens(4 + random.nextInt(40));
            switch (i % 4) {
                case 1 -> p.repetitionPenalty(1.2);
                case 2 -> p.repetitionPenalty(1.3).noRepeatNgramSize(2);
                case 3 -> p.ignoreEos(true).noRepeatNgramSize(3);
                default -> {}
            }
            int cancelAfter = i % 10 == 7 ? 1 + random.nextInt(3) : -1;
            // bursts of 8 arrivals, then a pause: joins into a busy batch and batches that drain and refill
            cases.add(new Case(prompt, p.build(), cancelAfter, i % 8 == 7 ? 5 + random.nextInt(20) : 0));
        }
        List<GenerationResult> solo = new ArrayList<>();
        List<List<GeneratedToken>> soloTokens = new ArrayList<>();
        try (BatchScheduler alone = new BatchScheduler(model, BatchScheduler.Options.defaults(), null)) {
            for (Case c : cases) { // one at a time: a batch of one, with the top-2 scores of every step
                List<GeneratedToken> steps = new ArrayList<>();
                BatchScheduler.Listener l = (index, token) -> steps.add(token);
                GenerationResult r = alone.submit(
                                c.prompt(), c.params().toBuilder().logprobs(2).build(), null, l)
                        .results()
                        .get(60, TimeUnit.SECONDS)
                        .get(0);
                assertThat(r.tokenIds())
                        .as("the scheduler alone = the static generator")
                        .isEqualTo(model.generate(List.of(c.prompt()), c.params(), null, null)
                                .get(0)
                                .tokenIds());
                solo.add(r);
                soloTokens.add(steps);
            }
        }
        List<Collector> collectors = new ArrayList<>();
        List<BatchScheduler.Handle> handles = new ArrayList<>();
        AtomicInteger maxRows = new AtomicInteger();
        BatchScheduler.Observer observer = new BatchScheduler.Observer() {
            @Override
            public void onDecodeStep(int rows, long nanos) {
                maxRows.accumulateAndGet(rows, Math::max);
            }
        };
        try (BatchScheduler s = new BatchScheduler(model, new BatchScheduler.Options(12, 4096, 100, 64), observer)) {
            for (Case c : cases) {
                Thread.sleep(c.delayMillis());
                Collector col = new Collector(c.cancelAfter());
                collectors.add(col);
                handles.add(s.submit(c.prompt(), c.params(), null, col));
            }
            int tolerated = 0;
            int cancelled = 0;
            for (int i = 0; i < cases.size(); i++) {
                GenerationResult r =
                        handles.get(i).results().get(60, TimeUnit.SECONDS).get(0);
                int[] expected = solo.get(i).tokenIds();
                int[] got = r.tokenIds();
                assertThat(collectors.get(i).tokens)
                        .containsExactlyElementsOf(
                                java.util.Arrays.stream(got).boxed().toList());
                int diverged = firstDifference(expected, got);
                if (cases.get(i).cancelAfter() >= 0) {
                    cancelled++;
                    assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
                    assertThat(got.length)
                            .as("request %d stops within a step of its cancellation", i)
                            .isLessThanOrEqualTo(cases.get(i).cancelAfter() + 1);
                    if (diverged < 0 || diverged >= got.length) {
                        continue; // a prefix of the solo run
                    }
                }
                if (diverged < 0) {
                    assertThat(r.finishReason()).isEqualTo(solo.get(i).finishReason());
                    continue;
                }
                List<GeneratedToken.TopLogprob> top =
                        soloTokens.get(i).get(diverged).top();
                float gap = top.get(0).logprob() - top.get(1).logprob();
                assertThat(gap)
                        .as(
                                "request %d differs from its solo run at step %d where the solo top-2 gap is" + " %s",
                                i, diverged, gap)
                        .isLessThan((float) TIE);
                tolerated++;
            }
            System.out.printf(
                    "batching identity: %d requests (%d cancelled), max %d rows in a step, %d near-tie"
                            + " divergences tolerated (solo top-2 gap < %s)%n",
                    cases.size(), cancelled, maxRows.get(), tolerated, TIE);
            assertThat(maxRows.get()).as("requests really shared steps").isGreaterThanOrEqualTo(6);
            assertThat(cancelled).isEqualTo(6);
            assertThat(s.running()).isZero();
        }
    }

    @Test
    void aSeededSampledRequestDrawsTheSameTokensWhateverItsBatchMates() throws Exception {
        SamplingParams sampled = SamplingParams.builder()
                .temperature(0.9)
                .topP(0.95)
                .maxNewTokens(24)
                .seed(42L)
                .build();
        int[] prompt = {24454, 401, 9208, 6889, 8615, 375, 7192, 7643, 401};
        int[] alone =
                model.generate(List.of(prompt), sampled, null, null).get(0).tokenIds();
        try (BatchScheduler s = new BatchScheduler(model, new BatchScheduler.Options(8, 4096, 100, 512), null)) {
            List<BatchScheduler.Handle> others = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(3);
            for (int i = 0; i < 5; i++) {
                others.add(s.submit(
                        random.ints(5 + i * 7, 5, 51200).toArray(),
                        SamplingParams.builder()
                                .temperature(1.0)
                                .maxNewTokens(30)
                                .build(),
                        null,
                        new Collector(-1)));
            }
            BatchScheduler.Handle mine = s.submit(prompt, sampled, null, new Collector(-1));
            assertThat(mine.results().get(60, TimeUnit.SECONDS).get(0).tokenIds())
                    .isEqualTo(alone);
            for (BatchScheduler.Handle h : others) {
                h.results().get(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void nSequencesShareOnePrefillAndDrawWithConsecutiveSeeds() throws Exception {
        int[] prompt = {24454, 401, 9208, 6889};
        SamplingParams three = SamplingParams.builder()
                .temperature(1.0)
                .maxNewTokens(10)
                .seed(5L)
                .n(3)
                .build();
        try (BatchScheduler s = new BatchScheduler(model, BatchScheduler.Options.defaults(), null)) {
            List<GenerationResult> rs =
                    s.submit(prompt, three, null, new Collector(-1)).results().get(60, TimeUnit.SECONDS);
            assertThat(rs).hasSize(3);
            for (int i = 0; i < 3; i++) {
                int[] alone = model.generate(List.of(prompt), three.forRow(i), null, null)
                        .get(0)
                        .tokenIds();
                assertThat(rs.get(i).tokenIds()).as("sequence %d", i).isEqualTo(alone);
            }
            assertThat(rs.get(0).tokenIds()).isNotEqualTo(rs.get(1).tokenIds());
        }
    }

    @Test
    void aDisconnectedStreamFreesItsRowAtTheNextStepAndADroppedWaiterNeverRuns() throws Exception {
        int[] prompt = {24454, 401, 9208};
        SamplingParams longRun =
                SamplingParams.builder().maxNewTokens(100).ignoreEos(true).build();
        try (BatchScheduler s = new BatchScheduler(model, new BatchScheduler.Options(1, 4096, 10, 512), null)) {
            Collector first = new Collector(3);
            BatchScheduler.Handle a = s.submit(prompt, longRun, null, first);
            Collector waiter = new Collector(-1);
            waiter.gone = true; // its client left while it waited
            BatchScheduler.Handle b = s.submit(prompt, longRun, null, waiter);
            GenerationResult ra = a.results().get(60, TimeUnit.SECONDS).get(0);
            assertThat(ra.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(ra.tokenIds()).hasSize(3);
            GenerationResult rb = b.results().get(60, TimeUnit.SECONDS).get(0);
            assertThat(rb.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(rb.tokenIds()).isEmpty();
            assertThat(waiter.tokens).isEmpty();
            // the row is free again: the next request runs to its length
            GenerationResult rc = s.submit(
                            prompt, SamplingParams.builder().maxNewTokens(5).build(), null, new Collector(-1))
                    .results()
                    .get(60, TimeUnit.SECONDS)
                    .get(0);
            assertThat(rc.tokenIds()).hasSize(5);
            assertThat(s.running()).isZero();
        }
    }

    @Test
    void aFullQueueIsRefusedWithARetryHintAndInvalidRequestsNameTheField() throws Exception {
        int[] prompt = {24454, 401, 9208};
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean blocked = new AtomicBoolean();
        BatchScheduler.Listener holding = new BatchScheduler.Listener() {
            @Override
            public void onToken(int index, GeneratedToken token) {
                if (blocked.compareAndSet(false, true)) {
                    try {
                        release.await(30, TimeUnit.SECONDS); // holds the scheduler thread: the next one must wait
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        try (BatchScheduler s = new BatchScheduler(model, new BatchScheduler.Options(1, 4096, 1, 512), null)) {
            BatchScheduler.Handle a =
                    s.submit(prompt, SamplingParams.builder().maxNewTokens(4).build(), null, holding);
            while (!blocked.get()) {
                Thread.sleep(5);
            }
            BatchScheduler.Handle b =
                    s.submit(prompt, SamplingParams.builder().maxNewTokens(4).build(), null, new Collector(-1));
            assertThatThrownBy(() -> s.submit(prompt, SamplingParams.defaults(), null, new Collector(-1)))
                    .isInstanceOfSatisfying(
                            QueueFullException.class,
                            e -> assertThat(e.retryAfterSeconds()).isPositive())
                    .hasMessageContaining("max-waiting 1");
            release.countDown();
            assertThat(a.results().get(60, TimeUnit.SECONDS).get(0).tokenIds()).hasSize(4);
            assertThat(b.results().get(60, TimeUnit.SECONDS).get(0).tokenIds()).hasSize(4);
            assertThatThrownBy(() -> s.submit(
                            prompt, SamplingParams.builder().maxNewTokens(200).build(), null, new Collector(-1)))
                    .isInstanceOf(InvalidParamsException.class)
                    .hasMessageContaining("max_new_tokens must be in [1, 125]");
        }
    }

    @Test
    void tokensInFlightBoundTheBatchAndComeBackWhenRequestsEndEvenAtTheirFirstToken() throws Exception {
        AtomicInteger maxRows = new AtomicInteger();
        BatchScheduler.Observer observer = new BatchScheduler.Observer() {
            @Override
            public void onDecodeStep(int rows, long nanos) {
                maxRows.accumulateAndGet(rows, Math::max);
            }
        };
        int[] prompt = new SplittableRandom(5).ints(10, 5, 51200).toArray();
        try (BatchScheduler s = new BatchScheduler(model, new BatchScheduler.Options(8, 100, 100, 512), observer)) {
            for (int i = 0; i < 20; i++) { // each reserves 11 tokens and ends at its first token
                s.submit(prompt, SamplingParams.builder().maxNewTokens(1).build(), null, new Collector(-1))
                        .results()
                        .get(60, TimeUnit.SECONDS);
            }
            List<BatchScheduler.Handle> long4 = new ArrayList<>();
            for (int i = 0; i < 4; i++) { // 10 + 40 = 50 tokens each: two fit in 100
                long4.add(s.submit(
                        prompt,
                        SamplingParams.builder()
                                .maxNewTokens(40)
                                .ignoreEos(true)
                                .build(),
                        null,
                        new Collector(-1)));
            }
            for (BatchScheduler.Handle h : long4) {
                assertThat(h.results().get(60, TimeUnit.SECONDS).get(0).tokenIds())
                        .hasSize(40);
            }
        }
        assertThat(maxRows.get()).as("rows that fit 100 tokens in flight").isEqualTo(2);
    }

    static int firstDifference(int[] a, int[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return a.length == b.length ? -1 : Math.min(a.length, b.length);
    }
}
