package dev.kotune.broker;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks a Kafka listener for its cluster metadata with one {@code Metadata} v12 request over the Kafka wire protocol,
 * written by hand so that the launcher needs no Kafka client jar. A KRaft broker answers on its client listener only
 * once it has caught up with the metadata log and been unfenced, so an answer naming our cluster id and our node means
 * the broker really accepts Kafka clients (topic creation included).
 *
 * <p>Stateless; thread-safe.
 */
final class MetadataProbe {

    /** What the broker answered: its cluster id and the node ids of the live (unfenced) brokers. */
    record Answer(String clusterId, List<Integer> brokerIds) {}

    private static final short API_KEY_METADATA = 3;
    private static final short API_VERSION = 12;
    private static final String CLIENT_ID = "kotune-broker-probe";

    private MetadataProbe() {}

    /**
     * Sends one Metadata request (no topics) and parses the answer up to the cluster id.
     *
     * @throws IOException when the port does not answer within {@code timeout} or answers something else
     */
    static Answer ask(String host, int port, Duration timeout) throws IOException {
        int timeoutMs = (int) Math.max(1, timeout.toMillis());
        int correlationId = (int) (System.nanoTime() & 0x7fffffff);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            OutputStream out = socket.getOutputStream();
            out.write(request(correlationId));
            out.flush();
            ByteBuffer response = ByteBuffer.wrap(readFrame(socket.getInputStream()));
            return parse(response, correlationId);
        }
    }

    static byte[] request(int correlationId) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream body = new DataOutputStream(bytes);
        // Request header v2.
        body.writeShort(API_KEY_METADATA);
        body.writeShort(API_VERSION);
        body.writeInt(correlationId);
        byte[] clientId = CLIENT_ID.getBytes(StandardCharsets.UTF_8);
        body.writeShort(clientId.length); // client_id stays a non-compact nullable string in header v2
        body.write(clientId);
        writeUnsignedVarint(body, 0); // header tagged fields
        // MetadataRequest v12.
        writeUnsignedVarint(body, 1); // topics: compact array of length 0 (not null, which would mean all topics)
        body.writeBoolean(false); // allow_auto_topic_creation
        body.writeBoolean(false); // include_topic_authorized_operations
        writeUnsignedVarint(body, 0); // tagged fields
        body.flush();

        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        DataOutputStream framed = new DataOutputStream(frame);
        framed.writeInt(bytes.size());
        bytes.writeTo(framed);
        framed.flush();
        return frame.toByteArray();
    }

    static Answer parse(ByteBuffer in, int expectedCorrelationId) throws IOException {
        try {
            int correlationId = in.getInt(); // response header v1
            if (correlationId != expectedCorrelationId) {
                throw new IOException(
                        "Not a Kafka answer: correlation id " + correlationId + " != " + expectedCorrelationId);
            }
            skipTaggedFields(in);
            in.getInt(); // throttle_time_ms
            int brokerCount = readUnsignedVarint(in) - 1;
            List<Integer> brokerIds = new ArrayList<>();
            for (int i = 0; i < brokerCount; i++) {
                brokerIds.add(in.getInt()); // node_id
                readCompactString(in); // host
                in.getInt(); // port
                readCompactString(in); // rack
                skipTaggedFields(in);
            }
            String clusterId = readCompactString(in);
            return new Answer(clusterId, List.copyOf(brokerIds));
        } catch (RuntimeException e) { // BufferUnderflowException, negative lengths
            throw new IOException("Malformed Metadata response: " + e, e);
        }
    }

    private static byte[] readFrame(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int size = data.readInt();
        if (size < 8 || size > (1 << 20)) {
            throw new IOException("Not a Kafka answer: frame size " + size);
        }
        byte[] frame = new byte[size];
        data.readFully(frame);
        return frame;
    }

    private static String readCompactString(ByteBuffer in) {
        int length = readUnsignedVarint(in) - 1;
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void skipTaggedFields(ByteBuffer in) {
        int count = readUnsignedVarint(in);
        for (int i = 0; i < count; i++) {
            readUnsignedVarint(in); // tag
            int size = readUnsignedVarint(in);
            in.position(in.position() + size);
        }
    }

    static int readUnsignedVarint(ByteBuffer in) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = in.get();
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("Varint longer than 5 bytes");
    }

    static void writeUnsignedVarint(DataOutputStream out, int value) throws IOException {
        int v = value;
        while ((v & ~0x7f) != 0) {
            out.writeByte((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }
}
