package dev.kotune.export.gpt2;

import static dev.kotune.export.gpt2.OnnxNames.ATTENTION_MASK;
import static dev.kotune.export.gpt2.OnnxNames.BATCH;
import static dev.kotune.export.gpt2.OnnxNames.INPUT_IDS;
import static dev.kotune.export.gpt2.OnnxNames.LOGITS;
import static dev.kotune.export.gpt2.OnnxNames.LOGITS_SEQUENCE;
import static dev.kotune.export.gpt2.OnnxNames.LOGITS_TO_KEEP;
import static dev.kotune.export.gpt2.OnnxNames.PAST_SEQUENCE;
import static dev.kotune.export.gpt2.OnnxNames.POSITION_IDS;
import static dev.kotune.export.gpt2.OnnxNames.SEQUENCE;
import static dev.kotune.export.gpt2.OnnxNames.TOTAL_SEQUENCE;

import dev.kotune.checkpoint.FloatTensor;
import dev.kotune.checkpoint.GPT2Config;
import dev.kotune.checkpoint.StateDict;
import dev.kotune.export.GraphFlavour;
import dev.kotune.export.WeightQuantization;
import dev.kotune.export.graph.Attr;
import dev.kotune.export.graph.GraphBuilder;
import dev.kotune.export.onnx.proto.TensorProto.DataType;
import java.util.Arrays;
import java.util.List;

/**
 * GPT-2 ({@code GPT2LMHeadModel}) as an ONNX decoder graph with KV cache in Optimum's layout: the inputs, embeddings
 * and tied LM head shared by both flavours; subclasses write the blocks. Weights become initializers under their
 * checkpoint names ({@code h.0.attn.c_attn.weight}); Conv1D weights are {@code (in, out)}, so a projection is
 * {@code MatMul(x, W)} with no transpose. Not thread-safe; one instance writes one graph.
 */
public abstract class Gpt2Graph {

    /** Opset of the default domain: {@code Gelu(approximate="tanh")} needs 20; ORT 1.23 runs up to 23. */
    public static final long OPSET = 20;

    protected final GPT2Config config;
    protected final StateDict weights;
    protected final GraphBuilder g;
    protected final int nEmbd; // C, e.g. 768
    protected final int nHead; // nH, e.g. 12
    protected final int headSize; // hs, e.g. 64
    protected final int nLayer; // e.g. 12
    protected final int vocab; // V, e.g. 51200
    private final java.util.Set<String> addedWeights = new java.util.HashSet<>();

    protected Gpt2Graph(GPT2Config config, StateDict weights, String graphName) {
        if (!"gelu_new".equals(config.activationFunction())
                && !"gelu_pytorch_tanh".equals(config.activationFunction())) {
            throw new IllegalArgumentException("activation_function '" + config.activationFunction()
                    + "' is not supported by the exporter; GPT-2 uses gelu_new (tanh approximation)");
        }
        this.config = config;
        this.weights = weights;
        this.nEmbd = config.nEmbd();
        this.nHead = config.nHead();
        this.headSize = config.headSize();
        this.nLayer = config.nLayer();
        this.vocab = config.vocabSize();
        this.g = new GraphBuilder("kotune_gpt2", OPSET);
    }

    /** The graph for {@code flavour}; {@code weights} use normalised names (no {@code transformer.} prefix). */
    public static GraphBuilder build(GraphFlavour flavour, GPT2Config config, StateDict weights) {
        return build(flavour, config, weights, true);
    }

    /** @param logitsToKeep with HF's {@code logits_to_keep} input (see {@code ExportOptions}) */
    public static GraphBuilder build(GraphFlavour flavour, GPT2Config config, StateDict weights, boolean logitsToKeep) {
        return build(flavour, config, weights, logitsToKeep, WeightQuantization.DEFAULT);
    }

    /** @param quantization how {@link GraphFlavour#INT8} quantizes (ignored by the fp32 flavours) */
    public static GraphBuilder build(
            GraphFlavour flavour,
            GPT2Config config,
            StateDict weights,
            boolean logitsToKeep,
            WeightQuantization quantization) {
        Gpt2Graph graph = switch (flavour) {
            case PLAIN -> new PlainGpt2Graph(config, weights);
            case FUSED -> new FusedGpt2Graph(config, weights);
            case INT8 -> new Int8Gpt2Graph(config, weights, quantization);
        };
        return graph.build(logitsToKeep);
    }

    private GraphBuilder build(boolean logitsToKeep) {
        g.input(INPUT_IDS, DataType.INT64, BATCH, SEQUENCE);
        g.input(ATTENTION_MASK, DataType.INT64, BATCH, TOTAL_SEQUENCE);
        g.input(POSITION_IDS, DataType.INT64, BATCH, SEQUENCE);
        for (int i = 0; i < nLayer; i++) {
            g.input(OnnxNames.pastKey(i), DataType.FLOAT, BATCH, nHead, PAST_SEQUENCE, headSize);
            g.input(OnnxNames.pastValue(i), DataType.FLOAT, BATCH, nHead, PAST_SEQUENCE, headSize);
        }
        String tok = g.op("embed.tok", "Gather", weight("wte.weight"), INPUT_IDS); // (B, T, C)
        String pos = g.op("embed.pos", "Gather", weight("wpe.weight"), POSITION_IDS); // (B, T, C)
        String hidden = blocks(tok, pos); // (B, T, C) after ln_f
        if (logitsToKeep) {
            // HF's logits_to_keep: hidden[:, -k:] (k = 0 keeps every position), so a prefill pays the LM head once
            g.input(LOGITS_TO_KEEP, DataType.INT64, 1);
            String start = g.op("lm_head.keep_start", "Neg", LOGITS_TO_KEEP); // (1,) = [-k]
            hidden = g.op(
                    "lm_head.keep",
                    "Slice",
                    List.of(
                            hidden,
                            start,
                            g.int64s("const.keep_end", Long.MAX_VALUE),
                            g.int64s("const.keep_axis", 1))); // (B, T', C)
        }
        lmHead(hidden);
        g.output(LOGITS, DataType.FLOAT, BATCH, logitsToKeep ? LOGITS_SEQUENCE : SEQUENCE, vocab);
        for (int i = 0; i < nLayer; i++) {
            g.output(OnnxNames.presentKey(i), DataType.FLOAT, BATCH, nHead, TOTAL_SEQUENCE, headSize);
            g.output(OnnxNames.presentValue(i), DataType.FLOAT, BATCH, nHead, TOTAL_SEQUENCE, headSize);
        }
        return g;
    }

    /**
     * The transformer blocks and {@code ln_f}: consumes the token and position embeddings, must produce
     * {@code present.{i}.key/value} for every layer and return the normalised hidden state (B, T, C).
     */
    protected abstract String blocks(String tokenEmbeddings, String positionEmbeddings);

    /** The LM head's weight: {@code wte.weight} when tied (or no {@code lm_head.weight}), else {@code lm_head.weight}. */
    protected String lmHeadWeight() {
        return config.tieWordEmbeddings() || !weights.contains("lm_head.weight") ? "wte.weight" : "lm_head.weight";
    }

    /**
     * Tied LM head: {@code logits = h @ wte^T} via Gemm(transB=1) on (B·T, C), so wte is stored once. Must produce
     * {@link OnnxNames#LOGITS} (B, T, V) from {@code hidden} (B, T, C).
     */
    protected void lmHead(String hidden) {
        String head = lmHeadWeight();
        String flat = g.op("lm_head.flat", "Reshape", hidden, g.int64s("const.shape_flat", -1, nEmbd)); // (B·T, C)
        String logits2 = g.op("lm_head.gemm", "Gemm", List.of(flat, weight(head)), Attr.i("transB", 1)); // (B·T, V)
        String ids = g.op("lm_head.ids_shape", "Shape", List.of(hidden), Attr.i("end", 2)); // (2,) = [B, T]
        String shape = g.op(
                "lm_head.shape", "Concat", List.of(ids, g.int64s("const.vocab", vocab)), Attr.i("axis", 0)); // (3,)
        g.op(LOGITS, "Reshape", logits2, shape); // (B, T, V)
    }

    /** Attention score scale: 1/√hs (HF {@code scale_attn_weights}), also / (layer + 1) when configured. */
    protected float attentionScale(int layer) {
        double s = config.scaleAttnWeights() ? 1.0 / Math.sqrt(headSize) : 1.0;
        if (config.scaleAttnByInverseLayerIdx()) {
            s /= (layer + 1);
        }
        return (float) s;
    }

    /** Adds the checkpoint tensor {@code name} as an initializer (once) after checking its shape; returns the name. */
    protected String weight(String name) {
        if (!addedWeights.add(name)) {
            return name;
        }
        FloatTensor t = tensor(name);
        return g.floatInitializer(name, t.shape(), t.data());
    }

    /** The checkpoint tensor {@code name} after checking its shape against config.json. */
    protected FloatTensor tensor(String name) {
        FloatTensor t = weights.get(name);
        if (t == null) {
            throw new IllegalArgumentException("checkpoint has no tensor '" + name + "' (expected GPT-2 names such as"
                    + " h.0.attn.c_attn.weight; was the transformer. prefix normalised?)");
        }
        int[] expected = expectedShape(name);
        if (!Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + t.shapeString() + " but config.json"
                    + " (n_embd " + nEmbd + ", n_layer " + nLayer + ", vocab " + vocab + ") needs "
                    + Arrays.toString(expected) + "; is config.json from the same checkpoint?");
        }
        return t;
    }

    private int[] expectedShape(String name) {
        int c = nEmbd;
        int inner = config.innerSize();
        if (name.equals("wte.weight") || name.equals("lm_head.weight")) {
            return new int[] {vocab, c};
        }
        if (name.equals("wpe.weight")) {
            return new int[] {config.nPositions(), c};
        }
        String leaf = name.startsWith("h.") ? name.substring(name.indexOf('.', 2) + 1) : name;
        return switch (leaf) {
            case "ln_1.weight",
                    "ln_1.bias",
                    "ln_2.weight",
                    "ln_2.bias",
                    "ln_f.weight",
                    "ln_f.bias",
                    "attn.c_proj.bias",
                    "mlp.c_proj.bias" -> new int[] {c};
            case "attn.c_attn.weight" -> new int[] {c, 3 * c};
            case "attn.c_attn.bias" -> new int[] {3 * c};
            case "attn.c_proj.weight" -> new int[] {c, c};
            case "mlp.c_fc.weight" -> new int[] {c, inner};
            case "mlp.c_fc.bias" -> new int[] {inner};
            case "mlp.c_proj.weight" -> new int[] {inner, c};
            default -> throw new IllegalArgumentException("unexpected GPT-2 tensor '" + name + "'");
        };
    }

    /** {@code h.{layer}.{leaf}}. */
    protected static String h(int layer, String leaf) {
        return "h." + layer + "." + leaf;
    }

    protected float epsilon() {
        return (float) config.layerNormEpsilon();
    }
}
