package dev.kotune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingProgress;
import dev.kotune.proto.training.v1.TrainingStarted;
import dev.kotune.proto.training.v1.TrainingSucceeded;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    private static TrainingEvent event(long second, java.util.function.Consumer<TrainingEvent.Builder> payload) {
        TrainingEvent.Builder b = TrainingEvent.newBuilder()
                .setJobId("j")
                .setOccurredAt(Timestamp.newBuilder().setSeconds(1_800_000_000L + second));
        payload.accept(b);
        return b.build();
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndOtherEventsGoAboveIt() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), true);
        bar.accept(event(
                0,
                b -> b.setStarted(TrainingStarted.newBuilder().setTotalSteps(40).setResumedFromStep(10))));
        bar.accept(event(
                30,
                b -> b.setProgress(TrainingProgress.newBuilder()
                        .setStep(20)
                        .setTotalSteps(40)
                        .setLoss(3))));
        bar.accept(event(
                60,
                b -> b.setProgress(TrainingProgress.newBuilder()
                        .setStep(30)
                        .setTotalSteps(40)
                        .setLoss(2))));
        bar.accept(event(70, b -> b.setSucceeded(TrainingSucceeded.getDefaultInstance())));
        bar.finish();
        String first = ProgressBar.render(20, 40, 3, Duration.ofSeconds(60));
        String second = ProgressBar.render(30, 40, 2, Duration.ofSeconds(30));
        assertThat(first).isEqualTo("[" + "#".repeat(15) + ".".repeat(15) + "] 20/40  50% loss 3.0000 ETA 1:00");
        String blank = "\r" + " ".repeat(second.length()) + "\r";
        assertThat(text.toString())
                .isEqualTo(JobsCommand.line(event(
                                0,
                                b -> b.setStarted(TrainingStarted.newBuilder()
                                        .setTotalSteps(40)
                                        .setResumedFromStep(10))))
                        + System.lineSeparator()
                        + "\r" + first + "\r" + second + blank
                        + JobsCommand.line(event(70, b -> b.setSucceeded(TrainingSucceeded.getDefaultInstance())))
                        + System.lineSeparator());
    }

    @Test
    void clockAndUnknownTotals() {
        assertThat(ProgressBar.clock(Duration.ofSeconds(3725))).isEqualTo("1:02:05");
        assertThat(ProgressBar.clock(Duration.ofSeconds(65))).isEqualTo("1:05");
        assertThat(ProgressBar.render(3, 0, 1.5, null))
                .isEqualTo("[" + ".".repeat(30) + "] 3/?   0% loss 1.5000 ETA --:--");
    }
}
