package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kotune.checkpoint.AtomicDirectory;
import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.checkpoint.CheckpointException;
import dev.kotune.checkpoint.CheckpointWriter;
import dev.kotune.checkpoint.Gpt2Weights;
import dev.kotune.checkpoint.KotuneMetadata;
import dev.kotune.checkpoint.PeftAdapter;
import dev.kotune.checkpoint.SafeTensors;
import dev.kotune.checkpoint.StateDict;
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
        if (model.lora().isPresent()) {
            return saveAdapterCheckpoint(dir, metadata, tokenizerFiles);
        }
        Map<String, Object> trainerState = trainerStateJson();
        Map<String, Object> rng = rngJson();
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
     * A LoRA run's checkpoint: the adapter in PEFT format ({@code adapter_config.json}, {@code
     * adapter_model.safetensors}, naming the base {@code metadata.source()} and its weights' sha256), the optimizer
     * moments of the adapter, trainer_state.json, rng_state.json, tokenizer files and kotune.json; no base weights.
     * Resume it with {@link #resumeAdapter}.
     */
    private Path saveAdapterCheckpoint(Path dir, KotuneMetadata metadata, List<Path> tokenizerFiles)
            throws IOException {
        PeftAdapter adapter = model.toPeftAdapter(metadata == null ? null : metadata.source());
        StateDict moments = optimizer.state();
        Map<String, Object> trainerState = trainerStateJson();
        Map<String, Object> rng = rngJson();
        return AtomicDirectory.write(dir, tmp -> {
            adapter.writeInto(tmp);
            SafeTensors.write(tmp.resolve(OPTIMIZER_FILE), moments, Map.of("format", "kotune"));
            JSON.writeValue(tmp.resolve(STATE_FILE).toFile(), trainerState);
            JSON.writeValue(tmp.resolve(RNG_FILE).toFile(), rng);
            for (Path f : tokenizerFiles == null ? List.<Path>of() : tokenizerFiles) {
                Files.copy(f, tmp.resolve(f.getFileName().toString()));
            }
            if (metadata != null) {
                metadata.write(tmp.resolve(KotuneMetadata.FILE));
            }
        });
    }

    private Map<String, Object> trainerStateJson() {
        Map<String, Object> trainerState = new LinkedHashMap<>();
        trainerState.put("state", state);
        trainerState.put("optimizer_step", optimizer.stepCount());
        trainerState.put("args", args);
        return trainerState;
    }

    private Map<String, Object> rngJson() {
        Map<String, Object> rng = new LinkedHashMap<>();
        rng.put("seed", state.seed);
        rng.put("dropout_micro_steps", state.microSteps);
        rng.put("data_order_epoch", state.epochIndex);
        return rng;
    }

    /**
     * Continues a LoRA run saved by {@link #saveCheckpoint}: the adapter (refused, with a hint, unless it was
     * trained on {@code base}'s exact weights), AdamW moments and step, data position, RNG counter and loss
     * accumulators. {@code base} is borrowed: it gets the adapter attached; the caller closes it.
     */
    public static Trainer resumeAdapter(
            Path dir, Gpt2Model base, String baseName, TrainingArguments args, DataOrder order) throws IOException {
        if (!Files.isRegularFile(dir.resolve(PeftAdapter.CONFIG_FILE))) {
            throw new CheckpointException(
                    dir, "no " + PeftAdapter.CONFIG_FILE + ": not a LoRA checkpoint (resume it with resume(dir, ...))");
        }
        base.loadAdapter(PeftAdapter.read(dir), dir, baseName);
        return restore(dir, base, args, order);
    }

    /**
     * Loads a checkpoint saved by {@link #saveCheckpoint} and continues it: weights, AdamW moments and step, data
     * position, RNG counter and loss accumulators. {@code args} must describe the same run (batch, accumulation,
     * steps). The returned trainer owns its model: close {@code trainer.model()} when done.
     */
    public static Trainer resume(Path dir, TrainingArguments args, DataOrder order) throws IOException {
        if (Files.isRegularFile(dir.resolve(PeftAdapter.CONFIG_FILE))) {
            throw new CheckpointException(
                    dir,
                    "a LoRA adapter checkpoint holds no base weights: resume it with resumeAdapter(dir, base, ...)");
        }
        requireTrainingState(dir);
        Gpt2Model model = Gpt2Model.load(Checkpoint.read(dir));
        try {
            return restore(dir, model, args, order);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static void requireTrainingState(Path dir) throws CheckpointException {
        Path stateFile = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile) || !Files.isRegularFile(dir.resolve(OPTIMIZER_FILE))) {
            throw new CheckpointException(
                    dir,
                    "no training state (" + STATE_FILE + " + " + OPTIMIZER_FILE
                            + "): it is a model checkpoint, not a resumable training checkpoint");
        }
    }

    private static Trainer restore(Path dir, Gpt2Model model, TrainingArguments args, DataOrder order)
            throws IOException {
        requireTrainingState(dir);
        Path stateFile = dir.resolve(STATE_FILE);
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
        Trainer t = new Trainer(model, args, order, st);
        t.optimizer.load(
                SafeTensors.read(dir.resolve(OPTIMIZER_FILE)).tensors(),
                root.get("optimizer_step").asLong());
        return t;
    }
}
