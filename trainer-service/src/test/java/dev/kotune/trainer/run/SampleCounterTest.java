package dev.kotune.trainer.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SampleCounterTest {

    @Test
    void countsAPartialLastBatchOncePerEpoch() {
        // 10 examples, batch 4: micro-batches of 4, 4, 2 -> 3 steps per epoch.
        SampleCounter c = new SampleCounter(10, 4, 1);
        assertThat(c.stepsPerEpoch()).isEqualTo(3);
        assertThat(c.after(1)).isEqualTo(4);
        assertThat(c.after(2)).isEqualTo(8);
        assertThat(c.after(3)).isEqualTo(10);
        assertThat(c.after(4)).isEqualTo(14);
        assertThat(c.after(6)).isEqualTo(20);
    }

    @Test
    void countsAccumulatedMicroBatchesPerStep() {
        // 10 examples, batch 2, accumulation 2: 5 micro-batches -> steps of 4, 4, 2 examples.
        SampleCounter c = new SampleCounter(10, 2, 2);
        assertThat(c.stepsPerEpoch()).isEqualTo(3);
        assertThat(c.after(2)).isEqualTo(8);
        assertThat(c.after(3)).isEqualTo(10);
    }
}
