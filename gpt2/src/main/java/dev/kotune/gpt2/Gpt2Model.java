package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.checkpoint.CheckpointMismatchException;
import dev.kotune.checkpoint.FloatTensor;
import dev.kotune.checkpoint.GPT2Config;
import dev.kotune.checkpoint.Gpt2Weights;
import dev.kotune.checkpoint.LoraConfig;
import dev.kotune.checkpoint.PeftAdapter;
import dev.kotune.checkpoint.StateDict;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * GPT-2 language model (transformers' {@code GPT2LMHeadModel}) on DJL's PyTorch engine. Weights are NDArrays named
 * exactly as the checkpoint names them without the prefix ({@code wte.weight}, {@code h.0.attn.c_attn.weight}, ...,
 * {@code ln_f.bias}); the lm_head is tied to {@code wte} unless the config unties it. Every parameter has a gradient
 * attached, so a forward inside a {@code GradientCollector} trains it.
 *
 * <p>Not thread-safe: one forward/backward at a time (DJL also allows only one active GradientCollector per process).
 * Owns native memory: close it.
 */
public final class Gpt2Model implements AutoCloseable {

    private static final float MASK_MIN = -Float.MAX_VALUE; // torch.finfo(float32).min

    private final NDManager manager;
    private GPT2Config config;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private LoraLayers lora;

    private Gpt2Model(GPT2Config config) {
        this.manager = Torch.engine().newBaseManager();
        this.config = config;
        if (!"gelu_new".equals(config.activationFunction())) {
            throw new IllegalArgumentException(
                    "activation_function " + config.activationFunction() + " is not supported (gelu_new only)");
        }
    }

    /** Copies a loaded checkpoint's weights into the engine. */
    public static Gpt2Model load(Checkpoint checkpoint) {
        return fromStateDict(checkpoint.config(), checkpoint.weights());
    }

    /** Copies canonical-name weights (checked against {@code config}) into the engine. */
    public static Gpt2Model fromStateDict(GPT2Config config, StateDict weights) {
        Gpt2Model m = new Gpt2Model(config);
        for (Map.Entry<String, int[]> e : Gpt2Weights.expectedShapes(config).entrySet()) {
            FloatTensor t = weights.get(e.getKey());
            if (t == null) {
                m.close();
                throw new IllegalArgumentException("missing weight " + e.getKey());
            }
            m.putParam(e.getKey(), t.data(), e.getValue());
        }
        return m;
    }

    /**
     * A freshly initialised model as {@code GPT2LMHeadModel(config)} initialises it (normal(0, initializer_range)
     * weights, c_proj weights with std / √(2·n_layer), zero biases, unit LayerNorm weights), drawn by libtorch's
     * generator seeded with {@code seed} (values differ from HF's for the same seed: different draw order).
     */
    public static Gpt2Model random(GPT2Config config, long seed) {
        Gpt2Model m = new Gpt2Model(config);
        Torch.seed(seed);
        double std = config.initializerRange();
        for (Map.Entry<String, int[]> e : Gpt2Weights.expectedShapes(config).entrySet()) {
            String n = e.getKey();
            Shape shape = shapeOf(e.getValue());
            NDArray a;
            if (n.contains("ln_") && n.endsWith(".weight")) {
                a = m.manager.ones(shape);
            } else if (n.endsWith(".bias")) {
                a = m.manager.zeros(shape);
            } else {
                double s = n.endsWith("c_proj.weight") ? std / Math.sqrt(2.0 * config.nLayer()) : std;
                a = m.manager.randomNormal(0f, (float) s, shape, DataType.FLOAT32);
            }
            m.adopt(n, a);
        }
        return m;
    }

    private static Shape shapeOf(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape[i];
        }
        return new Shape(s);
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    private void putParam(String name, FloatBuffer data, int[] shape) {
        FloatBuffer src = data.duplicate();
        src.clear();
        adopt(name, owned(manager.create(src, shapeOf(shape))));
    }

    /**
     * The same tensor in storage libtorch owns. {@code manager.create} from Java data wraps a direct buffer without
     * copying ({@code from_blob}), and that buffer is freed by the GC once our handle is closed, even though autograd
     * may still hold the tensor for the backward pass (embedding indices, the gather index, the loss weights). Closing
     * handles early ({@link Temps}) then makes the backward read freed memory: wrong gradients, NaN or a crash,
     * depending on GC timing. A clone moves the data into libtorch's allocator, where the graph's reference keeps it.
     */
    private static NDArray owned(NDArray javaBacked) {
        NDArray o = javaBacked.duplicate();
        javaBacked.close();
        return o;
    }

    private void adopt(String name, NDArray a) {
        NDScope.unregister(a);
        a.setName(name);
        a.setRequiresGradient(true);
        NDArray old = params.put(name, a);
        if (old != null) {
            old.close();
        }
    }

    public GPT2Config config() {
        return config;
    }

    /** Parameters by canonical name in HF's {@code named_parameters()} order (unmodifiable; live NDArrays). */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /** The manager owning the parameters (optimizer state lives here too). */
    NDManager manager() {
        return manager;
    }

    /**
     * Logits (B, T, V) for a batch. Intermediate arrays belong to the caller's {@link NDScope} (or to this model's
     * manager when none is open): run it inside a scope.
     */
    public NDArray forward(Batch batch, Dropout dropout) {
        int b = batch.batchSize();
        int t = batch.seqLen();
        if (t > config.nPositions()) {
            throw new IllegalArgumentException("sequence length " + t + " exceeds n_positions " + config.nPositions());
        }
        NDArray ids = owned(manager.create(batch.inputIds(), new Shape(b, t))); // (B, T)
        long[] posArr = batch.positionIds();
        if (posArr == null) {
            posArr = new long[b * t];
            for (int i = 0; i < posArr.length; i++) {
                posArr[i] = i % t;
            }
        }
        NDArray pos = owned(manager.create(posArr, new Shape(b, t))); // (B, T)
        NDArray tok = Torch.embedding(ids, params.get("wte.weight")); // (B, T, C)
        NDArray place = Torch.embedding(pos, params.get("wpe.weight")); // (B, T, C)
        NDArray x = tok.add(place); // (B, T, C)
        Temps.close(ids, pos, tok, place);
        x = Temps.then(x, dropout.apply(x, config.embdPdrop())); // (B, T, C)
        NDArray bias = maskBias(batch); // (B, 1, T, T)
        for (int l = 0; l < config.nLayer(); l++) {
            x = Temps.then(x, Block.forward(x, bias, l, params, lora, config, dropout)); // (B, T, C)
        }
        bias.close();
        x = Temps.then(x, LayerNorm.apply(x, params.get("ln_f.weight"), params.get("ln_f.bias"), (float)
                config.layerNormEpsilon())); // (B, T, C)
        NDArray head = config.tieWordEmbeddings() ? params.get("wte.weight") : params.get(Gpt2Weights.LM_HEAD);
        // F.linear like HF's lm_head: its backward writes the (V, C) weight gradient directly (a matMul with
        // wte.transpose() would produce a transposed gradient that autograd then copies into wte's layout)
        NDArray logits = Torch.linear(x, head); // (B, T, V)
        x.close();
        return logits;
    }

    /** 0 where query i may attend key j (j ≤ i and key j is not padding), float32 min elsewhere: (B, 1, T, T). */
    private NDArray maskBias(Batch batch) {
        int b = batch.batchSize();
        int t = batch.seqLen();
        long[] mask = batch.attentionMask();
        float[] bias = new float[b * t * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < t; j++) {
                    boolean allowed = j <= i && (mask == null || mask[r * t + j] != 0);
                    bias[(r * t + i) * t + j] = allowed ? 0f : MASK_MIN;
                }
            }
        }
        return owned(manager.create(bias, new Shape(b, 1, t, t)));
    }

    /**
     * Sum over the batch of the token cross-entropies of shifted targets (labels[:, 1:] != -100) as a scalar; divide
     * by the number of targets (of the whole accumulated batch) for HF's loss.
     */
    public NDArray lossSum(NDArray logits, Batch batch) {
        int b = batch.batchSize();
        int t = batch.seqLen();
        long[] labels = batch.labels();
        long[] target = new long[b * t];
        float[] weight = new float[b * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t - 1; i++) {
                long y = labels[r * t + i + 1];
                if (y != Batch.IGNORE) {
                    target[r * t + i] = y;
                    weight[r * t + i] = 1f;
                }
            }
        }
        NDArray logp = logits.logSoftmax(-1); // (B, T, V)
        NDArray idx = owned(manager.create(target, new Shape(b, t, 1))); // (B, T, 1)
        NDArray picked = logp.gather(idx, 2); // (B, T, 1)
        Temps.close(logp, idx);
        picked = Temps.then(picked, picked.reshape(b, t)); // (B, T)
        NDArray w = owned(manager.create(weight, new Shape(b, t))); // (B, T)
        NDArray masked = picked.mul(w); // (B, T)
        Temps.close(picked, w);
        NDArray sum = masked.sum(); // ()
        masked.close();
        return Temps.then(sum, sum.neg()); // ()
    }

    /** Logits of an inference forward (dropout off, no gradient) copied to Java: B·T·V floats, row-major. */
    public float[] logits(Batch batch) {
        boolean grad = Torch.gradMode();
        Torch.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return forward(batch, Dropout.off()).toFloatArray();
        } finally {
            Torch.setGradMode(grad);
        }
    }

    /** HF's loss for a batch with labels: mean token cross-entropy over shifted targets (inference, no gradient). */
    public double loss(Batch batch) {
        boolean grad = Torch.gradMode();
        Torch.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits = forward(batch, Dropout.off());
            return lossSum(logits, batch).getFloat() / (double) batch.targetCount();
        } finally {
            Torch.setGradMode(grad);
        }
    }

    /** A copy of the weights under canonical names (tied lm_head omitted), e.g. for {@code CheckpointWriter}. */
    public StateDict stateDict() {
        StateDict sd = new StateDict(null);
        params.forEach((n, a) -> {
            long[] s = a.getShape().getShape();
            int[] shape = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                shape[i] = Math.toIntExact(s[i]);
            }
            sd.put(n, FloatTensor.of(shape, a.toFloatArray()));
        });
        return sd;
    }

    /**
     * Grows (or shrinks) the vocabulary to {@code newVocab} rows, like {@code resize_token_embeddings(n,
     * mean_resizing=False)}: existing rows are kept, new rows drawn from normal(0, initializer_range) with a Java RNG
     * seeded by {@code seed}. The config's vocab_size follows. Call before creating an optimizer.
     */
    public void resizeTokenEmbeddings(int newVocab, long seed) {
        int old = config.vocabSize();
        if (newVocab == old) {
            return;
        }
        int c = config.nEmbd();
        float[] cur = params.get("wte.weight").toFloatArray();
        float[] next = new float[newVocab * c];
        System.arraycopy(cur, 0, next, 0, Math.min(old, newVocab) * c);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = old * c; i < next.length; i++) {
            next[i] = (float) (gaussian(rng) * config.initializerRange());
        }
        putParam("wte.weight", FloatBuffer.wrap(next), new int[] {newVocab, c});
        if (!config.tieWordEmbeddings()) {
            float[] head = params.get(Gpt2Weights.LM_HEAD).toFloatArray();
            float[] nh = new float[newVocab * c];
            System.arraycopy(head, 0, nh, 0, Math.min(old, newVocab) * c);
            for (int i = old * c; i < nh.length; i++) {
                nh[i] = (float) (gaussian(rng) * config.initializerRange());
            }
            putParam(Gpt2Weights.LM_HEAD, FloatBuffer.wrap(nh), new int[] {newVocab, c});
        }
        config = config.withVocabSize(newVocab);
    }

    // ---- LoRA (HF PEFT semantics) -----------------------------------------------------------------------------

    /**
     * Attaches a fresh LoRA adapter as PEFT's {@code get_peft_model} does: for every targeted Conv1D (in, out),
     * {@code A} (r, in) kaiming-uniform with a = √5 (uniform(±1/√in)), drawn by libtorch's generator seeded with
     * {@code seed}, and {@code B} (out, r) zeros, so the model's output is unchanged until B trains. The base is
     * frozen: {@link #trainableParameters()} is the adapter alone.
     */
    public void addLora(LoraConfig config, long seed) {
        Map<String, int[]> shapes = loraShapes(config);
        Torch.seed(seed);
        Map<String, NDArray> w = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            Shape shape = shapeOf(e.getValue());
            NDArray a;
            if (e.getKey().endsWith("lora_A.weight")) {
                float bound = (float) (1 / Math.sqrt(e.getValue()[1]));
                a = manager.randomUniform(-bound, bound, shape, DataType.FLOAT32);
            } else {
                a = manager.zeros(shape, DataType.FLOAT32);
            }
            w.put(e.getKey(), a);
        }
        attach(config, w);
    }

    /**
     * Attaches a LoRA adapter with the given weights (short names {@code h.0.attn.c_attn.lora_A.weight}, shapes (r,
     * in) / (out, r)), e.g. read from a PEFT directory or a fixed initialisation; freezes the base.
     */
    public void addLora(LoraConfig config, StateDict weights) {
        Map<String, int[]> shapes = loraShapes(config);
        for (String n : weights.names()) {
            if (!shapes.containsKey(n)) {
                throw new IllegalArgumentException("adapter tensor " + n + " is not a LoRA weight of this model "
                        + "with target_modules " + config.targetModules() + " (expected " + shapes.keySet() + ")");
            }
        }
        Map<String, NDArray> w = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            FloatTensor t = weights.get(e.getKey());
            if (t == null || !java.util.Arrays.equals(t.shape(), e.getValue())) {
                w.values().forEach(NDArray::close);
                throw new IllegalArgumentException("adapter tensor " + e.getKey() + " is "
                        + (t == null ? "missing" : "of shape " + t.shapeString()) + ", this base needs "
                        + java.util.Arrays.toString(e.getValue()));
            }
            FloatBuffer src = t.data().duplicate();
            src.clear();
            w.put(e.getKey(), owned(manager.create(src, shapeOf(e.getValue()))));
        }
        attach(config, w);
    }

    /**
     * Applies a PEFT adapter to this base after checking that it was trained on these weights
     * ({@link PeftAdapter#requireBase}: refused with a hint otherwise) and that its shapes fit.
     *
     * @param dir where the adapter was read from (for messages)
     */
    public void loadAdapter(PeftAdapter adapter, Path dir, String baseName) throws CheckpointMismatchException {
        adapter.requireBase(dir, baseName, baseWeightsSha256());
        try {
            addLora(adapter.config(), adapter.weights());
        } catch (IllegalArgumentException e) {
            throw new CheckpointMismatchException(
                    dir, e.getMessage(), "this adapter was made for another model shape; use its base model");
        }
    }

    private Map<String, int[]> loraShapes(LoraConfig config) {
        if (lora != null) {
            throw new IllegalStateException("a LoRA adapter is already attached (merge or remove it first)");
        }
        List<String> modules = config.targetedModules(this.config.nLayer());
        for (String t : config.targetModules()) {
            if (modules.stream()
                    .noneMatch(m -> LoraConfig.of(1, 1, 0, List.of(t)).targets(m))) {
                throw new IllegalArgumentException("target_modules entry '" + t + "' matches no Conv1D of this "
                        + this.config.nLayer() + "-layer model");
            }
        }
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (String m : modules) {
            long[] w = params.get(m + ".weight").getShape().getShape(); // Conv1D (in, out)
            shapes.put(m + ".lora_A.weight", new int[] {config.r(), (int) w[0]});
            shapes.put(m + ".lora_B.weight", new int[] {(int) w[1], config.r()});
        }
        return shapes;
    }

    private void attach(LoraConfig config, Map<String, NDArray> w) {
        w.forEach((n, a) -> {
            NDScope.unregister(a);
            a.setName(n);
            a.setRequiresGradient(true);
        });
        params.values().forEach(p -> p.setRequiresGradient(false));
        lora = new LoraLayers(config, Collections.unmodifiableMap(w));
    }

    /** The attached adapter's config, if any. */
    public Optional<LoraConfig> lora() {
        return lora == null ? Optional.empty() : Optional.of(lora.config());
    }

    /**
     * What training updates, by name in HF's order: the LoRA weights when an adapter is attached (the base is
     * frozen), otherwise every parameter.
     */
    public Map<String, NDArray> trainableParameters() {
        return lora == null ? parameters() : lora.weights();
    }

    /** A copy of the adapter's weights under short names ({@code h.0.attn.c_attn.lora_A.weight}). */
    public StateDict adapterStateDict() {
        if (lora == null) {
            throw new IllegalStateException("no LoRA adapter attached");
        }
        return copies(lora.weights());
    }

    /** The adapter as PEFT files describe it, naming this base and the sha256 of its weights. */
    public PeftAdapter toPeftAdapter(String baseName) {
        return new PeftAdapter(lora().orElseThrow(), baseName, baseWeightsSha256(), adapterStateDict());
    }

    /** {@link Gpt2Weights#contentSha256} of the base weights (without any adapter). */
    public String baseWeightsSha256() {
        return Gpt2Weights.contentSha256(stateDict(), config);
    }

    /**
     * PEFT's {@code merge_and_unload}: every targeted Conv1D weight becomes {@code W + scaling · (B·A)ᵀ} (Conv1D keeps
     * (in, out)), the adapter is dropped and the base trains again. The merged model computes the same logits as the
     * unmerged one up to float rounding.
     */
    public void mergeAndUnload() {
        if (lora == null) {
            throw new IllegalStateException("no LoRA adapter attached");
        }
        boolean grad = Torch.gradMode();
        Torch.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            double scaling = lora.config().scaling();
            for (String m : lora.config().targetedModules(config.nLayer())) {
                NDArray a = lora.weights().get(m + ".lora_A.weight"); // (r, in)
                NDArray b = lora.weights().get(m + ".lora_B.weight"); // (out, r)
                NDArray w = params.get(m + ".weight"); // (in, out)
                NDArray delta = b.matMul(a).transpose(); // (in, out)
                NDArray s = Torch.scalar(delta, (float) scaling);
                NDArray merged = w.add(delta.mul(s)); // (in, out)
                NDArray copy = merged.duplicate();
                adopt(m + ".weight", copy);
            }
        } finally {
            Torch.setGradMode(grad);
        }
        lora.weights().values().forEach(NDArray::close);
        lora = null;
        params.values().forEach(p -> p.setRequiresGradient(true));
    }

    private static StateDict copies(Map<String, NDArray> arrays) {
        StateDict sd = new StateDict(null);
        arrays.forEach((n, a) -> sd.put(n, AdamW.copy(a)));
        return sd;
    }

    /** Number of parameters without the embeddings (HF's {@code num_parameters(exclude_embeddings=True)}). */
    public long nonEmbeddingParameterCount() {
        long n = 0;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            if (!e.getKey().equals("wte.weight") && !e.getKey().equals("wpe.weight")) {
                n += e.getValue().size();
            }
        }
        if (lora != null) { // PEFT's LoRA layers are model parameters too (HF's floating_point_ops counts them)
            for (NDArray a : lora.weights().values()) {
                n += a.size();
            }
        }
        return n;
    }

    @Override
    public void close() {
        manager.close();
    }

    static DataType int64() {
        return DataType.INT64;
    }
}
