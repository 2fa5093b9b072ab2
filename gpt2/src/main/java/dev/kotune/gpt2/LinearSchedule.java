package dev.kotune.gpt2;

/**
 * transformers' {@code get_linear_schedule_with_warmup}: the learning rate of the optimizer step that follows
 * {@code done} completed steps is {@code base · done / warmup} during warmup, then
 * {@code base · max(0, (total − done) / max(1, total − warmup))}. Immutable, thread-safe.
 *
 * @param base   e.g. 3e-5
 * @param total  optimizer steps of the run, e.g. 20
 * @param warmup e.g. 0
 */
public record LinearSchedule(double base, long total, long warmup) {

    public double lr(long done) {
        double factor;
        if (done < warmup) {
            factor = (double) done / Math.max(1, warmup);
        } else {
            factor = Math.max(0.0, (double) (total - done) / Math.max(1, total - warmup));
        }
        return base * factor;
    }
}
