package dev.kotune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingProgress;
import dev.kotune.proto.training.v1.TrainingStarted;
import dev.kotune.testing.RepoFiles;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's output pieces without services: progress bar, loss-curve PNG, table widths, the n-gram-ban check. */
class DemoOutputTest {
    private static TrainingEvent started() {
        return TrainingEvent.newBuilder()
                .setJobId("j")
                .setOccurredAt(Timestamp.newBuilder().setSeconds(1000))
                .setStarted(TrainingStarted.newBuilder().setTotalSteps(40))
                .build();
    }

    private static TrainingEvent progress(int step) {
        return TrainingEvent.newBuilder()
                .setJobId("j")
                .setOccurredAt(
                        Timestamp.newBuilder().setSeconds(1000 + step / 10).setNanos((step % 10) * 100_000_000))
                .setProgress(TrainingProgress.newBuilder()
                        .setStep(step)
                        .setTotalSteps(40)
                        .setLoss(4.5 / step))
                .build();
    }

    @Test
    void withoutATerminalTheBarPrintsAboutTenPlainLinesWithStepsLossAndEta() {
        StringWriter s = new StringWriter();
        TrainingProgressBar bar = new TrainingProgressBar(new PrintWriter(s), false);
        bar.accept(started());
        for (int step = 1; step <= 40; step++) {
            bar.accept(progress(step));
        }
        String out = s.toString();
        assertThat(out)
                .doesNotContain("\r")
                .contains("step 1/40")
                .contains("step 40/40  loss 0.1125  done")
                .contains("ETA ");
        assertThat(out.lines().filter(l -> l.contains("step ")).count()).isBetween(10L, 12L);
        assertThat(bar.curve()[0]).hasSize(40);
        assertThat(bar.curve()[1][0]).isEqualTo(4.5);
    }

    @Test
    void onATerminalTheBarRedrawsOneLineAndEndsItAtTheLastStep() {
        StringWriter s = new StringWriter();
        TrainingProgressBar bar = new TrainingProgressBar(new PrintWriter(s), true);
        bar.accept(started());
        for (int step = 1; step <= 40; step++) {
            bar.accept(progress(step));
        }
        String out = s.toString();
        assertThat(out.chars().filter(c -> c == '\r').count()).isEqualTo(40);
        assertThat(out).endsWith("done" + System.lineSeparator());
        assertThat(out).contains("[##############################] step 40/40");
    }

    @Test
    void theLossCurveIsAPngDrawnByXChart(@TempDir Path dir) throws Exception {
        double[][] curve = {{1, 2, 3, 4}, {4.5, 2.0, 0.5, 0.1}};
        Path png = LossCurve.write(dir.resolve("jobs/j/loss.png"), curve, "j: training loss");
        assertThat(png).isEqualTo(dir.resolve("jobs/j/loss.png")).isRegularFile();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(800);
        assertThat(image.getHeight()).isEqualTo(500);
    }

    @Test
    void hangulTakesTwoColumnsInTheTable() {
        assertThat(BeforeAfterAnswers.displayWidth("배고파")).isEqualTo(6);
        assertThat(BeforeAfterAnswers.displayWidth("잠이 안 와")).isEqualTo(10);
        assertThat(BeforeAfterAnswers.pad("배고파", 8)).isEqualTo("배고파  ");
    }

    @Test
    void aCompletionThatRepeatsAPromptBigramIsNamedAsUnreachableUnderTheNgramBan() {
        Path model = RepoFiles.require("models/kotune-tiny-ko/tokenizer.json").getParent();
        assertThat(BeforeAfterAnswers.repeatedBigram(model, "질문: 안녕하세요?\n답변:", "질문: 안녕하세요?\n답변: 안녕하세요! 무엇을 도와드릴까요?", 2))
                .isEqualTo("': 안녕'");
        assertThat(BeforeAfterAnswers.repeatedBigram(
                        model, "질문: 배고파\n답변:", "질문: 배고파\n답변: 맛있는 음식을 드셔 보세요. 든든한 한 끼가 힘이 됩니다.", 2))
                .isNull();
        assertThat(BeforeAfterAnswers.repeatedBigram(model, "질문: 안녕하세요?\n답변:", "질문: 안녕하세요?\n답변: 안녕하세요! 무엇을 도와드릴까요?", 0))
                .isNull();
    }
}
