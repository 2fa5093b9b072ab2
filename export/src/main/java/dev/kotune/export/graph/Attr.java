package dev.kotune.export.graph;

import dev.kotune.export.onnx.proto.AttributeProto;
import java.nio.charset.StandardCharsets;

/**
 * Node attribute constructors for {@link GraphBuilder#node}: {@code Attr.i("axis", 2)}, {@code Attr.f("epsilon", 1e-5f)},
 * {@code Attr.ints("perm", 0, 2, 1, 3)}, {@code Attr.s("approximate", "tanh")}. Stateless, thread-safe.
 */
public final class Attr {

    private Attr() {}

    public static AttributeProto i(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    public static AttributeProto f(String name, float value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.FLOAT)
                .setF(value)
                .build();
    }

    public static AttributeProto s(String name, String value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFrom(value, StandardCharsets.UTF_8))
                .build();
    }

    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }
}
