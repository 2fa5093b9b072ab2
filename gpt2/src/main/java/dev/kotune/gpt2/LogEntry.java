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
public record LogEntry(long step, double epoch, double loss, double gradNorm, double learningRate) {}
