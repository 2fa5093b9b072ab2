package dev.kotune.gpt2;

import java.util.List;

/**
 * Final metrics like HF's {@code TrainOutput} / the notebook printout. Immutable.
 *
 * @param globalStep            e.g. 20
 * @param trainingLoss          mean per-step loss over the whole run (HF {@code train_loss}), e.g. 1.137
 * @param trainRuntime          seconds of this {@code train()} call, e.g. 22.8
 * @param trainSamplesPerSecond HF's definition: examples × epochs (or max_steps × batch) / runtime, e.g. 3.5
 * @param trainStepsPerSecond   max_steps / runtime, e.g. 0.876
 * @param totalFlos             6 × non-embedding parameters × input tokens (HF's estimate)
 * @param epoch                 fractional epoch reached
 * @param cancelled             true when stopped early by the cancellation check
 * @param logHistory            every log entry of the run
 */
public record TrainOutput(
        long globalStep,
        double trainingLoss,
        double trainRuntime,
        double trainSamplesPerSecond,
        double trainStepsPerSecond,
        double totalFlos,
        double epoch,
        boolean cancelled,
        List<LogEntry> logHistory) {

    /** The closing line HF's Trainer prints (runtime, samples and steps per second, train loss, epoch). */
    public String toHfLine() {
        return String.format(
                java.util.Locale.ROOT,
                "{'train_runtime': %.4f, 'train_samples_per_second': %.3f, "
                        + "'train_steps_per_second': %.3f, 'train_loss': %.4f, 'epoch': %.2f}",
                trainRuntime,
                trainSamplesPerSecond,
                trainStepsPerSecond,
                trainingLoss,
                epoch);
    }
}
