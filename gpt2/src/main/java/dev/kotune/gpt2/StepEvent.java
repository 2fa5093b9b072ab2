package dev.kotune.gpt2;

/**
 * Progress after one optimizer step (for progress events). Immutable.
 *
 * @param step         global step just completed, e.g. 7
 * @param maxSteps     steps of the whole run, e.g. 20
 * @param epoch        fractional epoch, e.g. 7.0
 * @param loss         this step's loss (token mean over the accumulated batch)
 * @param gradNorm     norm before clipping
 * @param learningRate lr used
 * @param log          the log entry when this step logged, else null
 */
public record StepEvent(
        long step, long maxSteps, double epoch, double loss, double gradNorm, double learningRate, LogEntry log) {}
