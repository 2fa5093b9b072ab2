package dev.kotune.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads {@code pytorch_model.bin} as {@code torch.save} writes it since torch 1.6: a zip holding
 * {@code <archive>/data.pkl} (a pickled dict of tensors whose storages are persistent ids) and one
 * {@code <archive>/data/<key>} entry of raw little-endian bytes per storage. The pickle is decoded by Pyrolite
 * ({@code net.razorvine:pickle}) with torch's constructors from {@link TorchPickle}; the zip by {@code java.util.zip}.
 * Tensors of any torch dtype become float32 (uint8 {@code attn.bias} buffers included; callers drop them).
 * Storages are read one at a time, so peak memory is the float copy plus one storage. Stateless and thread-safe.
 */
public final class TorchBin {

    private TorchBin() {}

    /** Reads every tensor of the state dict (a bare dict, or one under a {@code state_dict} / {@code model} key). */
    public static StateDict read(Path file) throws CheckpointException {
        TorchPickle.install();
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "file not found");
        }
        try (ZipFile zip = openZip(file)) {
            ZipEntry pkl = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.getName().endsWith("data.pkl")
                        && (pkl == null || e.getName().length() < pkl.getName().length())) {
                    pkl = e;
                }
            }
            if (pkl == null) {
                throw new CheckpointException(file, "zip has no data.pkl: not a torch.save checkpoint");
            }
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null) {
                String bo = new String(zip.getInputStream(order).readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (!"little".equals(bo)) {
                    throw new CheckpointException(file, "byteorder '" + bo + "' is not supported (little only)");
                }
            }
            Object root;
            TorchPickle.Reader up = new TorchPickle.Reader();
            try (InputStream in = zip.getInputStream(pkl)) {
                root = up.load(in);
            } catch (CheckpointException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new CheckpointException(file, "cannot unpickle " + pkl.getName(), e);
            } finally {
                up.close();
            }
            Map<?, ?> dict = stateDictOf(root, file);
            List<Map.Entry<String, TorchPickle.TensorRef>> refs = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                String name = String.valueOf(e.getKey());
                names.add(name);
                if (e.getValue() instanceof TorchPickle.TensorRef ref) {
                    refs.add(Map.entry(name, ref));
                } else {
                    throw new CheckpointException(
                            file,
                            "entry '" + name + "' is not a tensor but "
                                    + (e.getValue() == null
                                            ? "None"
                                            : e.getValue().getClass().getSimpleName()));
                }
            }
            // one storage in memory at a time (wte and a tied lm_head share one)
            refs.sort(Comparator.comparing(e -> e.getValue().storage().key()));
            java.util.Map<String, FloatTensor> tensors = new java.util.HashMap<>();
            String loadedKey = null;
            ByteBuffer storage = null;
            for (Map.Entry<String, TorchPickle.TensorRef> e : refs) {
                TorchPickle.StorageRef s = e.getValue().storage();
                if (!s.key().equals(loadedKey)) {
                    storage = null;
                    storage = readStorage(zip, prefix, s, file);
                    loadedKey = s.key();
                }
                tensors.put(e.getKey(), gather(e.getKey(), e.getValue(), storage, file));
            }
            StateDict out = new StateDict(file);
            for (String n : names) {
                out.put(n, tensors.get(n));
            }
            return out;
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read pytorch_model.bin", e);
        }
    }

    private static ZipFile openZip(Path file) throws CheckpointException {
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new CheckpointException(
                    file,
                    "not a readable zip archive (truncated file, or torch's pre-1.6 "
                            + "legacy format, which is not supported)",
                    e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot open", e);
        }
    }

    private static Map<?, ?> stateDictOf(Object root, Path file) throws CheckpointException {
        if (!(root instanceof Map<?, ?> m)) {
            throw new CheckpointException(
                    file,
                    "data.pkl holds " + (root == null ? "None" : root.getClass().getSimpleName())
                            + ", not a state dict");
        }
        boolean hasTensors = m.values().stream().anyMatch(v -> v instanceof TorchPickle.TensorRef);
        if (!hasTensors) {
            for (String k : new String[] {"state_dict", "model"}) {
                if (m.get(k) instanceof Map<?, ?> inner) {
                    return inner;
                }
            }
        }
        return m;
    }

    private static ByteBuffer readStorage(ZipFile zip, String prefix, TorchPickle.StorageRef s, Path file)
            throws IOException {
        String name = prefix + "data/" + s.key();
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new CheckpointException(file, "storage entry '" + name + "' missing from the zip");
        }
        long need = s.numel() * s.dtype().size();
        if (need > Integer.MAX_VALUE) {
            throw new CheckpointException(file, "storage '" + name + "' exceeds 2 GB");
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(e)) {
            bytes = in.readNBytes((int) need);
        } catch (ZipException ze) {
            throw new CheckpointException(file, "storage '" + name + "' is corrupt or truncated", ze);
        }
        if (bytes.length < need) {
            throw new CheckpointException(
                    file, "truncated storage '" + name + "': " + bytes.length + " of " + need + " bytes");
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static FloatTensor gather(String name, TorchPickle.TensorRef t, ByteBuffer storage, Path file)
            throws CheckpointException {
        int[] size = t.size();
        long numel = FloatTensor.numel(size);
        int rank = size.length;
        // bounds: the largest linear index touched must lie inside the storage
        long last = t.offset();
        for (int d = 0; d < rank; d++) {
            if (size[d] == 0) {
                last = t.offset() - 1;
                break;
            }
            last += (long) (size[d] - 1) * t.stride()[d];
        }
        if (numel > 0 && (t.offset() < 0 || last >= t.storage().numel())) {
            throw new CheckpointException(
                    file,
                    "tensor '" + name + "' " + FloatTensor.shapeString(size) + " reaches past its storage of "
                            + t.storage().numel() + " elements");
        }
        DType dtype = t.storage().dtype();
        float[] out = new float[Math.toIntExact(numel)];
        boolean contiguous = true;
        long expect = 1;
        for (int d = rank - 1; d >= 0; d--) {
            if (size[d] != 1 && t.stride()[d] != expect) {
                contiguous = false;
            }
            expect *= size[d];
        }
        if (contiguous) {
            int base = (int) t.offset();
            for (int i = 0; i < out.length; i++) {
                out[i] = dtype.read(storage, base + i);
            }
        } else {
            int[] idx = new int[rank];
            for (int i = 0; i < out.length; i++) {
                long lin = t.offset();
                for (int d = 0; d < rank; d++) {
                    lin += idx[d] * t.stride()[d];
                }
                out[i] = dtype.read(storage, (int) lin);
                for (int d = rank - 1; d >= 0; d--) {
                    if (++idx[d] < size[d]) {
                        break;
                    }
                    idx[d] = 0;
                }
            }
        }
        return FloatTensor.of(size, out);
    }
}
