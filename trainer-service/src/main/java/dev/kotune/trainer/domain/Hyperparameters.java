package dev.kotune.trainer.domain;

/**
 * HF TrainingArguments that matter here, every default resolved. Immutable, thread-safe.
 *
 * @param numTrainEpochs            epochs in [1, 1000], e.g. 20
 * @param maxSteps                  total optimizer steps when &gt; 0 (overrides epochs), e.g. 0
 * @param perDeviceTrainBatchSize   examples per batch in [1, 256], e.g. 4
 * @param gradientAccumulationSteps micro-batches per optimizer step in [1, 1024], e.g. 1
 * @param learningRate              peak learning rate in (0, 1], e.g. 3e-5
 * @param weightDecay               AdamW decoupled weight decay in [0, 1], e.g. 0.01
 * @param warmupSteps               linear warmup steps &gt;= 0, e.g. 0
 * @param maxGradNorm               gradient clipping norm &gt; 0, e.g. 1.0
 * @param seed                      data order and init seed, e.g. 42
 * @param loggingSteps              log every N steps, &gt;= 1, e.g. 10
 * @param saveSteps                 checkpoint every N steps, 0 = only at the end, e.g. 0
 * @param dropout                   dropout on during training, e.g. true
 */
public record Hyperparameters(
        int numTrainEpochs,
        long maxSteps,
        int perDeviceTrainBatchSize,
        int gradientAccumulationSteps,
        double learningRate,
        double weightDecay,
        long warmupSteps,
        double maxGradNorm,
        long seed,
        int loggingSteps,
        long saveSteps,
        boolean dropout) {

    /**
     * Optimizer steps for {@code numExamples} examples, as HF Trainer counts them: {@code maxSteps} when set, else
     * {@code ceil(ceil(n / batch) / accumulation) * epochs} (the last partial batch is kept).
     */
    public long totalSteps(int numExamples) {
        if (maxSteps > 0) {
            return maxSteps;
        }
        long batches = ceilDiv(numExamples, perDeviceTrainBatchSize);
        long stepsPerEpoch = Math.max(ceilDiv(batches, gradientAccumulationSteps), 1);
        return stepsPerEpoch * numTrainEpochs;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
