package dev.kotune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.testing.SharedData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripsFloatsBitIdenticallyWithMetadata() throws Exception {
        Random r = new Random(7);
        StateDict sd = new StateDict(null);
        float[] a = new float[3 * 5];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        a[0] = -0.0f;
        a[1] = Float.MIN_VALUE;
        a[2] = Float.MAX_VALUE;
        sd.put("x.weight", FloatTensor.of(new int[] {3, 5}, a));
        sd.put("scalar", FloatTensor.of(new int[] {}, new float[] {2.5f}));
        sd.put("y.bias", FloatTensor.of(new int[] {7}, new float[] {1, 2, 3, 4, 5, 6, 7}));
        Path f = tmp.resolve("m.safetensors");
        SafeTensors.write(f, sd, Map.of("format", "pt"));

        SafeTensors.Contents back = SafeTensors.read(f);
        assertThat(back.metadata()).containsEntry("format", "pt");
        assertThat(back.tensors().names()).containsExactly("x.weight", "scalar", "y.bias");
        assertThat(back.tensors().differences(sd)).isEmpty();
        // header length is a multiple of 8 as the reference implementation writes it
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(head.getLong(0) % 8).isZero();
    }

    @Test
    void convertsHalfAndBfloat16ToFloatExactly() throws Exception {
        // IEEE binary16: 1.0 = 0x3C00, -2.5 = 0xC100, 65504 = 0x7BFF, 2^-24 = 0x0001; bfloat16 1.0 = 0x3F80, -2.5 =
        // 0xC020
        Path f = writeRaw(
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}",
                new short[] {0x3C00, (short) 0xC100, 0x7BFF, 0x0001, 0x3F80, (short) 0xC020});
        StateDict sd = SafeTensors.read(f).tensors();
        assertThat(sd.get("h").toArray()).containsExactly(1.0f, -2.5f, 65504f, (float) Math.pow(2, -24));
        assertThat(sd.get("b").toArray()).containsExactly(1.0f, -2.5f);
    }

    @Test
    void rejectsATruncatedFileNamingItAndTheTensor() throws Exception {
        Path src = SharedData.require("hf-fake-gpt2/model.safetensors");
        byte[] all = Files.readAllBytes(src);
        Path cut = tmp.resolve("model.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> SafeTensors.read(cut))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated")
                .hasMessageContaining("transformer.wte.weight");
        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, java.util.Arrays.copyOf(all, 5));
        assertThatThrownBy(() -> SafeTensors.read(tiny))
                .hasMessageContaining(tiny.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void rejectsOffsetsThatDoNotMatchTheShape() throws Exception {
        Path f = writeRaw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new short[] {0, 0, 0, 0});
        assertThatThrownBy(() -> SafeTensors.read(f))
                .hasMessageContaining("'w'")
                .hasMessageContaining("needs 12 bytes");
    }

    private Path writeRaw(String header, short[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 2 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (short s : data) {
            b.putShort(s);
        }
        Path f = tmp.resolve("raw.safetensors");
        Files.write(f, b.array());
        return f;
    }
}
