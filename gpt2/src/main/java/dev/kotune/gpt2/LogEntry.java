package dev.kotune.gpt2;

/**
 * One HF-style training log line. Immutable.
 *
 * @param step         global optimizer step, e.g. 10
 * @param epoch        fractional epoch, e.g. 10.0
 * @param loss         mean of the per-step losses since the previous log
 * @param gradNorm     total gradient norm before clipping at this step
 * @param learningRate the learning rate this step used
 */
public record LogEntry(long step, double epoch, double loss, double gradNorm, double learningRate) {

    /** The line HF's Trainer prints, e.g. {@code {'loss': 4.3100, 'grad_norm': 3.8138, 'learning_rate': 1.5e-06, 'epoch': 20.00}}. */
    public String toHfLine() {
        return String.format(
                java.util.Locale.ROOT,
                "{'loss': %.4f, 'grad_norm': %.4f, 'learning_rate': %.4g, 'epoch': %.2f}",
                loss,
                gradNorm,
                learningRate,
                epoch);
    }
}
