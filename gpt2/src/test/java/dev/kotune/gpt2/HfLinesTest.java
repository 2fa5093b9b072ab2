package dev.kotune.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** HF Trainer's log lines, formatted in one place for the CLI and trainer-service. */
class HfLinesTest {

    @Test
    void logAndClosingLinesLookLikeHfTrainers() {
        assertThat(new LogEntry(20, 20.0, 4.31, 3.81384, 1.5e-6).toHfLine())
                .isEqualTo("{'loss': 4.3100, 'grad_norm': 3.8138, 'learning_rate': 1.500e-06, 'epoch': 20.00}");
        assertThat(new TrainOutput(20, 4.371, 7.9, 10.126, 2.5316, 1e9, 20.0, false, List.of()).toHfLine())
                .isEqualTo("{'train_runtime': 7.9000, 'train_samples_per_second': 10.126, "
                        + "'train_steps_per_second': 2.532, 'train_loss': 4.3710, 'epoch': 20.00}");
    }
}
