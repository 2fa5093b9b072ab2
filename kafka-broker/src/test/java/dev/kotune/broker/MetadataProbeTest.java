package dev.kotune.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetadataProbeTest {

    @Test
    void writesAMetadataV12RequestWithNoTopics() throws IOException {
        ByteBuffer frame = ByteBuffer.wrap(MetadataProbe.request(7));

        assertThat(frame.getInt()).isEqualTo(frame.remaining());
        assertThat(frame.getShort()).as("api key").isEqualTo((short) 3);
        assertThat(frame.getShort()).as("api version").isEqualTo((short) 12);
        assertThat(frame.getInt()).as("correlation id").isEqualTo(7);
        byte[] clientId = new byte[frame.getShort()];
        frame.get(clientId);
        assertThat(new String(clientId, StandardCharsets.UTF_8)).isEqualTo("kotune-broker-probe");
        assertThat(frame.get()).as("header tagged fields").isZero();
        assertThat(frame.get()).as("topics: empty compact array").isEqualTo((byte) 1);
        assertThat(frame.get()).as("allow_auto_topic_creation").isZero();
        assertThat(frame.get()).as("include_topic_authorized_operations").isZero();
        assertThat(frame.get()).as("tagged fields").isZero();
        assertThat(frame.hasRemaining()).isFalse();
    }

    @Test
    void readsClusterIdAndBrokerIdsFromAMetadataV12Response() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(42); // correlation id
        out.writeByte(1); // header: one tagged field
        out.writeByte(5); // tag
        out.writeByte(2); // size
        out.writeShort(0); // its bytes
        out.writeInt(0); // throttle
        out.writeByte(3); // two brokers
        for (int id : new int[] {1, 300}) {
            out.writeInt(id);
            writeCompactString(out, "127.0.0.1");
            out.writeInt(9092);
            out.writeByte(0); // rack null
            out.writeByte(0); // tagged fields
        }
        writeCompactString(out, "uUqpoVgZWB2uBw9agK8w0w");
        out.writeInt(1); // controller id, then topics we do not read

        MetadataProbe.Answer answer = MetadataProbe.parse(ByteBuffer.wrap(bytes.toByteArray()), 42);

        assertThat(answer).isEqualTo(new MetadataProbe.Answer("uUqpoVgZWB2uBw9agK8w0w", List.of(1, 300)));
    }

    @Test
    void rejectsAnAnswerToAnotherRequestOrATruncatedOne() {
        ByteBuffer other = ByteBuffer.allocate(4).putInt(0, 41);
        assertThatThrownBy(() -> MetadataProbe.parse(other, 42)).hasMessageContaining("correlation id 41");
        ByteBuffer truncated = ByteBuffer.allocate(6).putInt(0, 42);
        assertThatThrownBy(() -> MetadataProbe.parse(truncated, 42)).hasMessageContaining("Malformed");
    }

    @Test
    void encodesUnsignedVarintsLikeKafka() throws IOException {
        for (int value : new int[] {0, 1, 127, 128, 300, 16_383, 16_384, Integer.MAX_VALUE}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            MetadataProbe.writeUnsignedVarint(new DataOutputStream(bytes), value);
            assertThat(MetadataProbe.readUnsignedVarint(ByteBuffer.wrap(bytes.toByteArray())))
                    .isEqualTo(value);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MetadataProbe.writeUnsignedVarint(new DataOutputStream(bytes), 300);
        assertThat(bytes.toByteArray()).containsExactly(0xAC, 0x02); // Kafka's ByteUtils: 300 -> AC 02
    }

    private static void writeCompactString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        MetadataProbe.writeUnsignedVarint(out, b.length + 1);
        out.write(b);
    }
}
