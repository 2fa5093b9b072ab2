package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.checkpoint.CheckpointException;
import dev.kotune.checkpoint.CheckpointWriter;
import dev.kotune.checkpoint.Gpt2Weights;
import dev.kotune.checkpoint.KotuneMetadata;
import dev.kotune.checkpoint.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * HF {@code Trainer} semantics on a {@link Gpt2Model}: per-epoch data order, micro-batches of {@code batchSize}
 * (last partial batch kept), optimizer steps over {@code gradientAccumulationSteps} micro-batches (fewer at the end of
 * an epoch), each micro-batch loss = summed token cross-entropy / targets of the whole optimizer step, gradient
 * clipping with the pre-clip norm reported, AdamW without decay on biases and LayerNorm, linear schedule with warmup,
 * HF-style logs and final metrics, and a full training state that saves and resumes exactly.
 *
 * <p>Not thread-safe, and only one Trainer may run per process at a time: DJL's PyTorch engine allows a single
 * active {@code GradientCollector}. The model is borrowed (the caller closes it) except after {@link #resume}.
 */
public final class Trainer {

    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String STATE_FILE = "trainer_state.json";
    public static final String RNG_FILE = "rng_state.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Gpt2Model model;
    private final TrainingArguments args;
    private final DataOrder order;
    private final AdamW optimizer;
    private final TrainerState state;

    public Trainer(Gpt2Model model, TrainingArguments args, DataOrder order) {
        this(model, args, order, new TrainerState());
        state.seed = args.seed();
    }

    private Trainer(Gpt2Model model, TrainingArguments args, DataOrder order, TrainerState state) {
        this.model = model;
        this.args = args;
        this.order = order;
        this.state = state;
        this.optimizer = new AdamW(
                model.trainableParameters(), // the adapter alone when LoRA is attached (base frozen)
                args.adamBeta1(),
                args.adamBeta2(),
                args.adamEpsilon(),
                args.weightDecay(),
                Gpt2Weights::decays);
    }

    public Gpt2Model model() {
        return model;
    }

    public TrainerState state() {
        return state;
    }

    /** Runs until max steps (or the cancellation check says stop, checked after every optimizer step). */
    public TrainOutput train(List<TrainingExample> data, TrainerListener listener, BooleanSupplier cancelled) {
        int n = data.size();
        if (n == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        int batch = args.batchSize();
        int ga = args.gradientAccumulationSteps();
        int microPerEpoch = (n + batch - 1) / batch;
        int updatesPerEpoch = Math.max(microPerEpoch / ga + (microPerEpoch % ga > 0 ? 1 : 0), 1);
        long maxSteps =
                args.maxSteps() > 0 ? args.maxSteps() : (long) Math.ceil(args.numTrainEpochs() * updatesPerEpoch);
        long numEpochs = args.maxSteps() > 0
                ? (maxSteps + updatesPerEpoch - 1) / updatesPerEpoch
                : (long) Math.ceil(args.numTrainEpochs());
        double numSamples = args.maxSteps() > 0 ? (double) maxSteps * batch * ga : n * args.numTrainEpochs();
        if (state.maxSteps != 0 && state.maxSteps != maxSteps) {
            throw new IllegalStateException(
                    "resumed state was for " + state.maxSteps + " steps, arguments give " + maxSteps);
        }
        state.maxSteps = maxSteps;
        LinearSchedule schedule = new LinearSchedule(args.learningRate(), maxSteps, args.warmupSteps());
        int remainder = microPerEpoch % ga == 0 ? ga : microPerEpoch % ga;
        long nonEmbedding = model.nonEmbeddingParameterCount();
        boolean dropout = model.config().residPdrop() > 0
                || model.config().embdPdrop() > 0
                || model.config().attnPdrop() > 0;
        boolean wasCancelled = false;
        long start = System.nanoTime();

        outer:
        for (int epoch = state.epochIndex; epoch < numEpochs && state.globalStep < maxSteps; epoch++) {
            int[] perm = order.epoch(epoch, n);
            for (int u = state.updateInEpoch; u < updatesPerEpoch; u++) {
                int num = u != updatesPerEpoch - 1 ? ga : remainder;
                List<Batch> micro = new ArrayList<>(num);
                long targets = 0;
                for (int k = 0; k < num; k++) {
                    int first = (u * ga + k) * batch;
                    Batch b = collate(data, perm, first, Math.min(first + batch, n));
                    micro.add(b);
                    targets += b.targetCount();
                }
                float stepLoss = 0f;
                try (GradientCollector gc = Torch.engine().newGradientCollector()) {
                    for (Batch b : micro) {
                        try (NDScope scope = new NDScope()) {
                            scope.suppressNotUsedWarning();
                            Dropout d = dropout ? Dropout.training(state.seed, state.microSteps) : Dropout.off();
                            NDArray logits = model.forward(b, d); // (B, T, V)
                            NDArray sum = model.lossSum(logits, b); // ()
                            logits.close(); // log_softmax's backward keeps its output, not its input
                            NDArray count = Torch.scalar(sum, (float) Math.max(targets, 1)); // see Torch.scalar
                            NDArray loss = sum.div(count); // ()
                            Temps.close(sum, count);
                            gc.backward(loss);
                            stepLoss += loss.getFloat();
                        }
                        state.microSteps++;
                        state.totalFlos += 6.0 * nonEmbedding * b.inputIds().length;
                    }
                }
                // clip_grad_norm_ + AdamW step + zero_grad, the clip coefficient applied inside the fused update
                float gradNorm = GradClip.totalNorm(model.trainableParameters().values());
                float coef = args.maxGradNorm() > 0 ? GradClip.coefficient(gradNorm, args.maxGradNorm()) : 1f;
                double lr = schedule.lr(state.globalStep);
                optimizer.step(lr, coef);

                state.globalStep++;
                state.updateInEpoch = u + 1;
                state.epoch = epoch + (double) Math.min((u * ga + num), microPerEpoch) / microPerEpoch;
                state.trLoss += stepLoss;
                LogEntry log = null;
                if (state.globalStep % args.loggingSteps() == 0) {
                    log = new LogEntry(
                            state.globalStep,
                            state.epoch,
                            (double) state.trLoss / (state.globalStep - state.lastLoggedStep),
                            gradNorm,
                            lr);
                    state.totalLoss += state.trLoss;
                    state.trLoss = 0f;
                    state.lastLoggedStep = state.globalStep;
                    state.logHistory.add(log);
                }
                listener.onStep(new StepEvent(state.globalStep, maxSteps, state.epoch, stepLoss, gradNorm, lr, log));
                if (state.globalStep >= maxSteps) {
                    break outer;
                }
                if (cancelled.getAsBoolean()) {
                    wasCancelled = true;
                    break outer;
                }
            }
            state.epochIndex = epoch + 1;
            state.updateInEpoch = 0;
        }
        double runtime = (System.nanoTime() - start) / 1e9;
        double trainLoss = state.globalStep == 0 ? 0 : (state.totalLoss + state.trLoss) / state.globalStep;
        return new TrainOutput(
                state.globalStep,
                trainLoss,
                runtime,
                numSamples / runtime,
                maxSteps / runtime,
                state.totalFlos,
                state.epoch,
                wasCancelled,
                List.copyOf(state.logHistory));
    }

    /** Right-pads rows {@code perm[from..to)} to the longest with pad id, mask 0 and label -100. */
    private Batch collate(List<TrainingExample> data, int[] perm, int from, int to) {
        int b = to - from;
        int t = 0;
        for (int i = from; i < to; i++) {
            t = Math.max(t, data.get(perm[i]).inputIds().length);
        }
        Integer padId = model.config().padTokenId() != null
                ? model.config().padTokenId()
                : model.config().eosTokenId();
        long pad = padId == null ? 0 : padId;
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        long[] labels = new long[b * t];
        java.util.Arrays.fill(ids, pad);
        java.util.Arrays.fill(labels, Batch.IGNORE);
        for (int r = 0; r < b; r++) {
            TrainingExample e = data.get(perm[from + r]);
            System.arraycopy(e.inputIds(), 0, ids, r * t, e.inputIds().length);
            System.arraycopy(e.attentionMask(), 0, mask, r * t, e.attentionMask().length);
            System.arraycopy(e.labels(), 0, labels, r * t, e.labels().length);
        }
        return new Batch(b, t, ids, mask, null, labels);
    }

    /**
     * Saves a checkpoint directory (HF layout via {@link CheckpointWriter}) plus the full training state:
     * {@code optimizer.safetensors} (AdamW moments), {@code trainer_state.json} (step, data position, loss
     * accumulators, log history, arguments) and {@code rng_state.json} (seed and dropout counter).
     */
    public Path saveCheckpoint(Path dir, KotuneMetadata metadata, List<Path> tokenizerFiles) throws IOException {
        Map<String, Object> trainerState = new LinkedHashMap<>();
        trainerState.put("state", state);
        trainerState.put("optimizer_step", optimizer.stepCount());
        trainerState.put("args", args);
        Map<String, Object> rng = new LinkedHashMap<>();
        rng.put("seed", state.seed);
        rng.put("dropout_micro_steps", state.microSteps);
        rng.put("data_order_epoch", state.epochIndex);
        CheckpointWriter w = CheckpointWriter.to(dir)
                .config(model.config())
                .weights(model.stateDict())
                .tokenizerFiles(tokenizerFiles == null ? List.of() : tokenizerFiles)
                .extraFile(OPTIMIZER_FILE, f -> SafeTensors.write(f, optimizer.state(), Map.of("format", "kotune")))
                .extraFile(STATE_FILE, f -> JSON.writeValue(f.toFile(), trainerState))
                .extraFile(RNG_FILE, f -> JSON.writeValue(f.toFile(), rng));
        if (metadata != null) {
            w.metadata(metadata);
        }
        return w.write();
    }

    /**
     * Loads a checkpoint saved by {@link #saveCheckpoint} and continues it: weights, AdamW moments and step, data
     * position, RNG counter and loss accumulators. {@code args} must describe the same run (batch, accumulation,
     * steps). The returned trainer owns its model: close {@code trainer.model()} when done.
     */
    public static Trainer resume(Path dir, TrainingArguments args, DataOrder order) throws IOException {
        Path stateFile = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile) || !Files.isRegularFile(dir.resolve(OPTIMIZER_FILE))) {
            throw new CheckpointException(
                    dir,
                    "no training state (" + STATE_FILE + " + " + OPTIMIZER_FILE
                            + "): it is a model checkpoint, not a resumable training checkpoint");
        }
        var root = JSON.readTree(stateFile.toFile());
        TrainerState st = JSON.treeToValue(root.get("state"), TrainerState.class);
        TrainingArguments saved = JSON.treeToValue(root.get("args"), TrainingArguments.class);
        if (saved.batchSize() != args.batchSize()
                || saved.gradientAccumulationSteps() != args.gradientAccumulationSteps()
                || saved.seed() != args.seed()) {
            throw new CheckpointException(
                    stateFile,
                    "saved with batch " + saved.batchSize() + ", accumulation " + saved.gradientAccumulationSteps()
                            + ", seed " + saved.seed() + "; resume must use the same");
        }
        Gpt2Model model = Gpt2Model.load(Checkpoint.read(dir));
        try {
            Trainer t = new Trainer(model, args, order, st);
            t.optimizer.load(
                    SafeTensors.read(dir.resolve(OPTIMIZER_FILE)).tensors(),
                    root.get("optimizer_step").asLong());
            return t;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
