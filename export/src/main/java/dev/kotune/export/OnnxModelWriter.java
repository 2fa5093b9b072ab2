package dev.kotune.export;

import dev.kotune.export.onnx.proto.GraphProto;
import dev.kotune.export.onnx.proto.ModelProto;
import dev.kotune.export.onnx.proto.StringStringEntryProto;
import dev.kotune.export.onnx.proto.TensorProto;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serialises a {@link ModelProto}. Weights stay in {@code raw_data} (one self-contained file) while the initializers
 * fit under {@code externalThresholdBytes}; above it (a protobuf message is limited to 2 GiB), every initializer of at
 * least 1 KiB moves to {@code <model>.data} at 4096-byte aligned offsets (mmap-friendly) with
 * {@code data_location = EXTERNAL} and {@code location/offset/length} entries, as {@code onnx.save(...,
 * save_as_external_data=True)} writes them. Stateless, thread-safe.
 */
public final class OnnxModelWriter {

    /** Default switch point: below protobuf's 2 GiB message limit with room for the graph itself. */
    public static final long DEFAULT_EXTERNAL_THRESHOLD = 1_900_000_000L;

    private static final int MIN_EXTERNAL_BYTES = 1024;
    private static final int ALIGN = 4096;

    private OnnxModelWriter() {}

    /**
     * Writes {@code model} to {@code file} (and {@code file + ".data"} when external data is used).
     *
     * @return true when external data was written
     */
    public static boolean write(ModelProto model, Path file, long externalThresholdBytes) throws IOException {
        long bytes = 0;
        for (TensorProto t : model.getGraph().getInitializerList()) {
            bytes += t.getRawData().size();
        }
        ModelProto out = model;
        boolean external = bytes > externalThresholdBytes;
        if (external) {
            out = externalize(model, file.resolveSibling(file.getFileName() + ".data"));
        }
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.writeTo(os);
        }
        return external;
    }

    private static ModelProto externalize(ModelProto model, Path dataFile) throws IOException {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        String location = dataFile.getFileName().toString();
        long offset = 0;
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(dataFile), 1 << 20)) {
            for (int i = 0; i < graph.getInitializerCount(); i++) {
                TensorProto t = graph.getInitializer(i);
                int size = t.getRawData().size();
                if (size < MIN_EXTERNAL_BYTES) {
                    continue;
                }
                long aligned = (offset + ALIGN - 1) / ALIGN * ALIGN;
                for (long pad = aligned - offset; pad > 0; pad--) {
                    os.write(0);
                }
                t.getRawData().writeTo(os);
                graph.setInitializer(
                        i,
                        t.toBuilder()
                                .clearRawData()
                                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(entry("location", location))
                                .addExternalData(entry("offset", Long.toString(aligned)))
                                .addExternalData(entry("length", Long.toString(size))));
                offset = aligned + size;
            }
        }
        return model.toBuilder().setGraph(graph).build();
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }
}
