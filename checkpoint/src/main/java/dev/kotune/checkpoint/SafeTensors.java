package dev.kotune.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (own code: 8-byte little-endian header length, a JSON header of
 * {@code name → {dtype, shape, data_offsets}} plus optional {@code __metadata__}, then raw little-endian data).
 * Reading memory-maps the file: F32 tensors are zero-copy views, F16/BF16/F64/integer tensors are converted to float.
 * Writing emits F32. Stateless and thread-safe.
 *
 * <p>DJL's {@code NDList.decode(manager, SAFETENSORS)} also reads this format, but it needs an engine
 * ({@code NDManager}), reads the whole stream into memory and writes no {@code __metadata__}: this module stays
 * engine-free so the ONNX exporter and the inference side can use it.
 */
public final class SafeTensors {

    /** Safetensors' own limit on the header size (100 MB). */
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /** Tensors (in header order) and the {@code __metadata__} strings of one file. */
    public record Contents(StateDict tensors, Map<String, String> metadata) {}

    /** Reads every tensor of {@code file}. */
    public static Contents read(Path file) throws CheckpointException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file, "truncated safetensors file: " + size + " bytes, no header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER) {
                throw new CheckpointException(file, "not a safetensors file: header length " + headerLen);
            }
            if (8 + headerLen > size) {
                throw new CheckpointException(
                        file,
                        "truncated safetensors file: header needs " + headerLen + " bytes, file has " + (size - 8)
                                + " after the length");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode header;
            try {
                header = Json.MAPPER.readTree(new String(hb.array(), StandardCharsets.UTF_8).trim());
            } catch (IOException e) {
                throw new CheckpointException(file, "malformed safetensors JSON header", e);
            }
            if (header == null || !header.isObject()) {
                throw new CheckpointException(file, "safetensors header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            StateDict out = new StateDict(file);
            Map<String, String> meta = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                JsonNode d = e.getValue();
                if ("__metadata__".equals(name)) {
                    d.fields()
                            .forEachRemaining(
                                    m -> meta.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                out.put(name, readTensor(ch, file, name, d, dataStart, dataLen));
            }
            return new Contents(out, meta);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "file not found");
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read safetensors file", e);
        }
    }

    private static FloatTensor readTensor(
            FileChannel ch, Path file, String name, JsonNode d, long dataStart, long dataLen) throws IOException {
        DType dtype =
                d.hasNonNull("dtype") ? DType.fromSafetensors(d.get("dtype").asText()) : null;
        if (dtype == null) {
            throw new CheckpointException(file, "tensor '" + name + "' has unsupported dtype " + d.get("dtype"));
        }
        JsonNode sh = d.get("shape");
        JsonNode off = d.get("data_offsets");
        if (sh == null || !sh.isArray() || off == null || !off.isArray() || off.size() != 2) {
            throw new CheckpointException(file, "tensor '" + name + "' lacks shape or data_offsets");
        }
        int[] shape = new int[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = sh.get(i).intValue();
        }
        long numel = FloatTensor.numel(shape);
        long begin = off.get(0).longValue();
        long end = off.get(1).longValue();
        if (end - begin != numel * dtype.size() || begin < 0) {
            throw new CheckpointException(
                    file,
                    "tensor '" + name + "' " + FloatTensor.shapeString(shape) + " " + dtype + " needs "
                            + numel * dtype.size() + " bytes but data_offsets span " + (end - begin));
        }
        if (end > dataLen) {
            throw new CheckpointException(
                    file,
                    "truncated safetensors file: tensor '" + name + "' needs data bytes [" + begin + ", " + end
                            + ") but the file holds " + dataLen);
        }
        if (numel > Integer.MAX_VALUE) {
            throw new CheckpointException(file, "tensor '" + name + "' has more than 2^31 elements");
        }
        MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin);
        ByteBuffer le = mapped.order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == DType.F32) {
            return new FloatTensor(shape, le.asFloatBuffer()); // zero copy
        }
        float[] v = new float[(int) numel];
        for (int i = 0; i < v.length; i++) {
            v[i] = dtype.read(le, i);
        }
        return FloatTensor.of(shape, v);
    }

    /**
     * Writes {@code tensors} as F32 in their iteration order with {@code metadata} as {@code __metadata__} (HF writes
     * {@code {"format": "pt"}}). The header is padded with spaces to a multiple of 8 bytes, as the Rust library does.
     */
    public static void write(Path file, StateDict tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = Json.MAPPER.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, FloatTensor> e : tensors.asMap().entrySet()) {
            ObjectNode d = header.putObject(e.getKey());
            d.put("dtype", "F32");
            var sh = d.putArray("shape");
            for (int s : e.getValue().shape()) {
                sh.add(s);
            }
            long n = 4L * e.getValue().numel();
            d.putArray("data_offsets").add(offset).add(offset + n);
            offset += n;
        }
        byte[] json = Json.MAPPER.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, head);
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer chunkF = chunk.asFloatBuffer();
            for (FloatTensor t : tensors.asMap().values()) {
                FloatBuffer src = t.data().duplicate();
                src.clear();
                while (src.hasRemaining()) {
                    int n = Math.min(src.remaining(), chunkF.capacity());
                    FloatBuffer part = src.slice();
                    part.limit(n);
                    chunkF.clear();
                    chunkF.put(part);
                    src.position(src.position() + n);
                    chunk.clear().limit(n * 4);
                    writeFully(ch, chunk);
                }
            }
            ch.force(true);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        buf.flip();
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
