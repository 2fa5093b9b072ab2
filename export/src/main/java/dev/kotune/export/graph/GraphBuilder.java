package dev.kotune.export.graph;

import com.google.protobuf.ByteString;
import dev.kotune.export.onnx.proto.AttributeProto;
import dev.kotune.export.onnx.proto.GraphProto;
import dev.kotune.export.onnx.proto.ModelProto;
import dev.kotune.export.onnx.proto.NodeProto;
import dev.kotune.export.onnx.proto.OperatorSetIdProto;
import dev.kotune.export.onnx.proto.StringStringEntryProto;
import dev.kotune.export.onnx.proto.TensorProto;
import dev.kotune.export.onnx.proto.TensorShapeProto;
import dev.kotune.export.onnx.proto.TypeProto;
import dev.kotune.export.onnx.proto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small DSL over the ONNX protobuf: graph inputs/outputs with symbolic dims, nodes
 * ({@code node("MatMul", List.of(x, w), List.of(y))}), float initializers named like the checkpoint
 * ({@code h.0.attn.c_attn.weight}) stored little-endian in {@code raw_data}, and small int64/float constants.
 * Checks that every node input was produced before (graph inputs, initializers or earlier outputs), so a typo fails
 * at export time rather than in ONNX Runtime. Not thread-safe: one builder per export.
 */
public final class GraphBuilder {

    /** Domain of ONNX Runtime's contrib ops (MultiHeadAttention, SkipLayerNormalization, FastGelu). */
    public static final String MS_DOMAIN = "com.microsoft";
    /** ONNX IR version written (ONNX 1.16+: IR 10 covers opset 21; ORT 1.23 reads up to IR 11). */
    public static final long IR_VERSION = 10;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, Long> opsets = new LinkedHashMap<>();
    private final Set<String> known = new HashSet<>();
    private final Map<String, Integer> nameCounts = new LinkedHashMap<>();
    private long initializerBytes;

    public GraphBuilder(String name, long defaultOpset) {
        graph.setName(name);
        opsets.put("", defaultOpset);
    }

    /** Declares an operator set import, e.g. {@code ("com.microsoft", 1)}. */
    public GraphBuilder opset(String domain, long version) {
        opsets.put(domain, version);
        return this;
    }

    /**
     * A graph input. {@code dims}: {@link Number} for a fixed size, {@link String} for a symbolic one
     * ({@code "batch_size"}).
     */
    public String input(String name, TensorProto.DataType type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
        known.add(name);
        return name;
    }

    /** A graph output; {@code name} must already be produced by a node. */
    public String output(String name, TensorProto.DataType type, Object... dims) {
        requireKnown(name, "graph output");
        graph.addOutput(valueInfo(name, type, dims));
        return name;
    }

    /** A default-domain node; returns its first output. */
    public String node(String op, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
        return node("", op, inputs, outputs, attrs);
    }

    /**
     * A node in {@code domain} ("" = ai.onnx). An empty string in {@code inputs}/{@code outputs} marks an omitted
     * optional one. Returns the first output name.
     */
    public String node(String domain, String op, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
        if (!opsets.containsKey(domain)) {
            throw new IllegalStateException("op " + op + " uses domain '" + domain + "' without an opset import");
        }
        for (String in : inputs) {
            if (!in.isEmpty()) {
                requireKnown(in, op + " input");
            }
        }
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(uniqueNodeName(op, outputs));
        if (!domain.isEmpty()) {
            n.setDomain(domain);
        }
        n.addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        for (String out : outputs) {
            if (!out.isEmpty() && !known.add(out)) {
                throw new IllegalStateException("value '" + out + "' is produced twice");
            }
        }
        return outputs.get(0);
    }

    /** Single-output convenience: {@code op(out, "Add", a, b)}. */
    public String op(String out, String op, String... inputs) {
        return node(op, List.of(inputs), List.of(out));
    }

    /** Single-output convenience with attributes. */
    public String op(String out, String op, List<String> inputs, AttributeProto... attrs) {
        return node(op, inputs, List.of(out), attrs);
    }

    /** A float32 initializer copied from {@code data} (row-major, {@code product(shape)} elements). */
    public String floatInitializer(String name, int[] shape, FloatBuffer data) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        FloatBuffer src = data.duplicate();
        src.clear();
        if (src.remaining() != n) {
            throw new IllegalArgumentException(name + ": shape needs " + n + " elements, got " + src.remaining());
        }
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(n * Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(src);
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (int d : shape) {
            t.addDims(d);
        }
        return addInitializer(t.build());
    }

    /** An initializer of {@code type} from little-endian {@code raw} bytes, e.g. MatMulNBits' uint8 weight blocks. */
    public String rawInitializer(String name, TensorProto.DataType type, long[] dims, byte[] raw) {
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        return addInitializer(t.build());
    }

    /** A 1-D int64 constant (shapes, axes, split sizes). */
    public String int64s(String name, long... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length)
                .setRawData(ByteString.copyFrom(bytes.array()))
                .build());
    }

    /** A 0-d int64 constant. */
    public String int64Scalar(String name, long value) {
        ByteBuffer bytes =
                ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
        return addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .setRawData(ByteString.copyFrom(bytes.array()))
                .build());
    }

    /** A 0-d float constant. */
    public String floatScalar(String name, float value) {
        ByteBuffer bytes =
                ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, value);
        return addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(bytes.array()))
                .build());
    }

    /** Bytes of initializer data added so far (decides whether external data is needed). */
    public long initializerBytes() {
        return initializerBytes;
    }

    /** The model: graph, opset imports, producer and {@code metadata_props} (in the given order). */
    public ModelProto build(String producerName, String producerVersion, Map<String, String> metadata) {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(producerName)
                .setProducerVersion(producerVersion)
                .setGraph(graph.build());
        opsets.forEach((domain, version) -> m.addOpsetImport(
                OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)));
        metadata.forEach((k, v) ->
                m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    private String addInitializer(TensorProto t) {
        if (!known.add(t.getName())) {
            throw new IllegalStateException("value '" + t.getName() + "' is produced twice");
        }
        initializerBytes += t.getRawData().size();
        graph.addInitializer(t);
        return t.getName();
    }

    private void requireKnown(String name, String role) {
        if (!known.contains(name)) {
            throw new IllegalStateException(
                    role + " '" + name + "' is not produced by any earlier node, input or" + " initializer");
        }
    }

    private String uniqueNodeName(String op, List<String> outputs) {
        String base = outputs.isEmpty() || outputs.get(0).isEmpty() ? op : outputs.get(0) + "/" + op;
        int k = nameCounts.merge(base, 1, Integer::sum);
        return k == 1 ? base : base + "_" + k;
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof Number num) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(num.longValue()));
            } else if (d instanceof String s) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(s));
            } else {
                throw new IllegalArgumentException("dim must be a Number or a String: " + d);
            }
        }
        TypeProto tp = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(type.getNumber())
                        .setShape(shape))
                .build();
        return ValueInfoProto.newBuilder().setName(name).setType(tp).build();
    }
}
