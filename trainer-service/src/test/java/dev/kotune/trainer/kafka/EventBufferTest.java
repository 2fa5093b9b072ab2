package dev.kotune.trainer.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingProgress;
import dev.kotune.proto.training.v1.TrainingStarted;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What {@link EventBuffer} keeps when full: every lifecycle event, the newest progress events, and their order. */
class EventBufferTest {

    private static TrainingEvent progress(String job, long step) {
        return TrainingEvent.newBuilder()
                .setJobId(job)
                .setProgress(TrainingProgress.newBuilder().setStep(step))
                .build();
    }

    private static TrainingEvent started(String job, long step) {
        return TrainingEvent.newBuilder()
                .setJobId(job)
                .setStarted(TrainingStarted.newBuilder().setResumedFromStep(step))
                .build();
    }

    private static List<String> drain(EventBuffer buffer) throws InterruptedException {
        List<String> out = new ArrayList<>();
        EventBuffer.Entry e;
        while ((e = buffer.poll(0)) != null) {
            out.add(e.event().getJobId() + ":"
                    + (e.progress()
                            ? "p" + e.event().getProgress().getStep()
                            : "s" + e.event().getStarted().getResumedFromStep()));
        }
        return out;
    }

    @Test
    void keepsOrderAndEvictsTheOldestWaitingProgressWhenFull() throws Exception {
        EventBuffer buffer = new EventBuffer(4);
        buffer.putLifecycle(started("a", 0));
        assertThat(buffer.putProgress(progress("a", 10))).isTrue();
        assertThat(buffer.putProgress(progress("b", 10))).isTrue();
        assertThat(buffer.putProgress(progress("a", 20))).isTrue();
        // full: the oldest waiting progress (a:10) makes room for the newest
        assertThat(buffer.putProgress(progress("a", 30))).isTrue();
        assertThat(buffer.droppedProgress()).isEqualTo(1);
        assertThat(drain(buffer)).containsExactly("a:s0", "b:p10", "a:p20", "a:p30");
    }

    @Test
    void dropsANewProgressEventWhenOnlyLifecycleEventsWait() throws Exception {
        EventBuffer buffer = new EventBuffer(2);
        buffer.putLifecycle(started("a", 0));
        buffer.putLifecycle(started("a", 5));
        assertThat(buffer.putProgress(progress("a", 10))).isFalse();
        assertThat(buffer.droppedProgress()).isEqualTo(1);
        assertThat(drain(buffer)).containsExactly("a:s0", "a:s5");
    }

    @Test
    void aLifecycleEventWaitsForRoomAndIsNeverDropped() throws Exception {
        EventBuffer buffer = new EventBuffer(1);
        buffer.putLifecycle(started("a", 0));
        CompletableFuture<EventBuffer.Entry> second = CompletableFuture.supplyAsync(() -> {
            try {
                return buffer.putLifecycle(started("a", 7));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertThat(second).isNotDone();
        assertThat(buffer.poll(0).event().getStarted().getResumedFromStep()).isZero();
        assertThat(second.get(5, TimeUnit.SECONDS).event().getStarted().getResumedFromStep())
                .isEqualTo(7);
        assertThat(drain(buffer)).containsExactly("a:s7");
        assertThat(buffer.droppedProgress()).isZero();
    }
}
