package dev.kotune.trainer.run;

/**
 * Examples consumed after a number of optimizer steps, with HF Trainer's batching: {@code ceil(n / batch)}
 * micro-batches per epoch (the last one partial), {@code accumulation} micro-batches per step. Immutable.
 *
 * @param examples     n, e.g. 12
 * @param batchSize    per-device batch, e.g. 4
 * @param accumulation gradient accumulation steps, e.g. 1
 */
record SampleCounter(int examples, int batchSize, int accumulation) {

    /** Optimizer steps per epoch. */
    long stepsPerEpoch() {
        long micro = (examples + (long) batchSize - 1) / batchSize;
        return Math.max((micro + accumulation - 1) / accumulation, 1);
    }

    /** Examples processed once {@code step} optimizer steps are done. */
    long after(long step) {
        long perEpoch = stepsPerEpoch();
        long full = step / perEpoch;
        long rest = step % perEpoch;
        return full * examples + Math.min(rest * accumulation * batchSize, examples);
    }
}
