package dev.kotune.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Test helper: runs an exported decoder with explicit inputs and a KV cache kept as Java arrays. */
final class OrtDecoder implements AutoCloseable {

    final OrtEnvironment env = OrtEnvironment.getEnvironment();
    final OrtSession session;
    final int layers;
    final int heads;
    final int headSize;
    final int vocab;

    /** One forward: logits (B, T, V) flattened, and the present KV per layer, flattened (B, nH, P+T, hs). */
    record Step(float[] logits, float[][] presentK, float[][] presentV, int total) {}

    OrtDecoder(Path model, int layers, int heads, int headSize, int vocab) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(1);
        this.session = env.createSession(model.toString(), so);
        this.layers = layers;
        this.heads = heads;
        this.headSize = headSize;
        this.vocab = vocab;
    }

    /** Runs ids/mask/positions (B, T) with a past of {@code pastLen} (arrays may be null when pastLen == 0). */
    Step run(long[][] ids, long[][] mask, long[][] pos, float[][] pastK, float[][] pastV, int pastLen)
            throws OrtException {
        int b = ids.length;
        int t = ids[0].length;
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(flat(ids)), new long[] {b, t}));
            in.put(
                    "attention_mask",
                    OnnxTensor.createTensor(env, LongBuffer.wrap(flat(mask)), new long[] {b, mask[0].length}));
            in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(flat(pos)), new long[] {b, t}));
            if (session.getInputNames().contains("logits_to_keep")) { // 0: the logits of every position
                in.put("logits_to_keep", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {0}), new long[] {1}));
            }
            long[] pastShape = {b, heads, pastLen, headSize};
            for (int i = 0; i < layers; i++) {
                float[] k = pastLen == 0 ? new float[0] : pastK[i];
                float[] v = pastLen == 0 ? new float[0] : pastV[i];
                in.put("past_key_values." + i + ".key", OnnxTensor.createTensor(env, FloatBuffer.wrap(k), pastShape));
                in.put("past_key_values." + i + ".value", OnnxTensor.createTensor(env, FloatBuffer.wrap(v), pastShape));
            }
            try (OrtSession.Result r = session.run(in)) {
                float[] logits = floats(r.get("logits").get());
                float[][] pk = new float[layers][];
                float[][] pv = new float[layers][];
                for (int i = 0; i < layers; i++) {
                    pk[i] = floats(r.get("present." + i + ".key").get());
                    pv[i] = floats(r.get("present." + i + ".value").get());
                }
                return new Step(logits, pk, pv, pastLen + t);
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] floats(OnnxValue v) {
        FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    static long[] flat(long[][] a) {
        int n = 0;
        for (long[] r : a) {
            n += r.length;
        }
        long[] out = new long[n];
        int o = 0;
        for (long[] r : a) {
            System.arraycopy(r, 0, out, o, r.length);
            o += r.length;
        }
        return out;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
