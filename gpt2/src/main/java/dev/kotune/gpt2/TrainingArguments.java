package dev.kotune.gpt2;

/**
 * The subset of HF {@code TrainingArguments} the trainer implements, with HF's names in the comments. Immutable,
 * thread-safe.
 *
 * @param batchSize                 per_device_train_batch_size, e.g. 4
 * @param gradientAccumulationSteps gradient_accumulation_steps, e.g. 1
 * @param numTrainEpochs            num_train_epochs, e.g. 20
 * @param maxSteps                  max_steps; ≤ 0 means "from epochs", e.g. -1
 * @param learningRate              learning_rate, e.g. 3e-5
 * @param weightDecay               weight_decay, e.g. 0.01
 * @param warmupSteps               warmup_steps, e.g. 0
 * @param adamBeta1                 adam_beta1, 0.9
 * @param adamBeta2                 adam_beta2, 0.999
 * @param adamEpsilon               adam_epsilon, 1e-8
 * @param maxGradNorm               max_grad_norm, 1.0 (≤ 0: no clipping; grad_norm is still computed)
 * @param loggingSteps              logging_steps, e.g. 10
 * @param seed                      seed, 42 (data order and dropout masks)
 */
public record TrainingArguments(
        int batchSize,
        int gradientAccumulationSteps,
        double numTrainEpochs,
        long maxSteps,
        double learningRate,
        double weightDecay,
        long warmupSteps,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double maxGradNorm,
        int loggingSteps,
        long seed) {

    public TrainingArguments {
        if (batchSize <= 0 || gradientAccumulationSteps <= 0 || loggingSteps <= 0) {
            throw new IllegalArgumentException("batch size, accumulation steps and logging steps must be positive");
        }
        if (maxSteps <= 0 && numTrainEpochs <= 0) {
            throw new IllegalArgumentException("either num_train_epochs or max_steps must be positive");
        }
    }

    /** HF's defaults (batch 8, 3 epochs, lr 5e-5, no decay, logging every 500 steps, seed 42). */
    public static TrainingArguments defaults() {
        return new TrainingArguments(8, 1, 3, -1, 5e-5, 0.0, 0, 0.9, 0.999, 1e-8, 1.0, 500, 42);
    }

    /** The notebook's run: batch 4, 20 epochs, lr 3e-5, weight decay 0.01, logging every 10 steps. */
    public static TrainingArguments notebook() {
        return new TrainingArguments(4, 1, 20, -1, 3e-5, 0.01, 0, 0.9, 0.999, 1e-8, 1.0, 10, 42);
    }

    public TrainingArguments withBatch(int batch, int accumulation) {
        return new TrainingArguments(
                batch,
                accumulation,
                numTrainEpochs,
                maxSteps,
                learningRate,
                weightDecay,
                warmupSteps,
                adamBeta1,
                adamBeta2,
                adamEpsilon,
                maxGradNorm,
                loggingSteps,
                seed);
    }

    public TrainingArguments withEpochs(double epochs, long maxSteps) {
        return new TrainingArguments(
                batchSize,
                gradientAccumulationSteps,
                epochs,
                maxSteps,
                learningRate,
                weightDecay,
                warmupSteps,
                adamBeta1,
                adamBeta2,
                adamEpsilon,
                maxGradNorm,
                loggingSteps,
                seed);
    }

    public TrainingArguments withWarmup(long warmup) {
        return new TrainingArguments(
                batchSize,
                gradientAccumulationSteps,
                numTrainEpochs,
                maxSteps,
                learningRate,
                weightDecay,
                warmup,
                adamBeta1,
                adamBeta2,
                adamEpsilon,
                maxGradNorm,
                loggingSteps,
                seed);
    }

    public TrainingArguments withLogging(int steps) {
        return new TrainingArguments(
                batchSize,
                gradientAccumulationSteps,
                numTrainEpochs,
                maxSteps,
                learningRate,
                weightDecay,
                warmupSteps,
                adamBeta1,
                adamBeta2,
                adamEpsilon,
                maxGradNorm,
                steps,
                seed);
    }

    public TrainingArguments withOptimizer(double lr, double weightDecay) {
        return new TrainingArguments(
                batchSize,
                gradientAccumulationSteps,
                numTrainEpochs,
                maxSteps,
                lr,
                weightDecay,
                warmupSteps,
                adamBeta1,
                adamBeta2,
                adamEpsilon,
                maxGradNorm,
                loggingSteps,
                seed);
    }
}
