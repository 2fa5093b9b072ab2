package dev.kotune.checkpoint;

import dev.kotune.checkpoint.pickle.PickledOrderedDict;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * What torch's {@code data.pkl} needs beyond plain Python pickle, as Pyrolite constructors: storage classes
 * ({@code torch.FloatStorage} ...), {@code torch._utils._rebuild_tensor_v2} / {@code _rebuild_parameter} (→
 * {@link TensorRef}, resolved against the zip's {@code data/N} entries later), {@code collections.OrderedDict} (with
 * the {@code _metadata} state torch attaches) and the {@code ('storage', type, key, location, numel)} persistent id.
 * Pyrolite's constructor table is global and static: {@link #install()} registers these once (idempotent), and they
 * are stateless, so concurrent reads are safe.
 */
final class TorchPickle {

    private TorchPickle() {}

    /** A storage referenced by a persistent id: element type, zip key ({@code data/<key>}), element count. */
    record StorageRef(DType dtype, String key, long numel) {}

    /** A tensor view on a storage. */
    record TensorRef(StorageRef storage, long offset, int[] size, long[] stride) {}

    /**
     * The dtype behind a torch storage class such as {@code torch.FloatStorage}. Pickle's GLOBAL pushes the
     * constructor object itself, which then travels inside the persistent id; it is never called.
     */
    record StorageType(DType dtype, String name) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("torch." + name + " cannot be constructed from a pickle");
        }
    }

    private static final Map<String, DType> STORAGES = Map.of(
            "FloatStorage",
            DType.F32,
            "HalfStorage",
            DType.F16,
            "BFloat16Storage",
            DType.BF16,
            "DoubleStorage",
            DType.F64,
            "LongStorage",
            DType.I64,
            "IntStorage",
            DType.I32,
            "ShortStorage",
            DType.I16,
            "CharStorage",
            DType.I8,
            "ByteStorage",
            DType.U8,
            "BoolStorage",
            DType.BOOL);

    private static volatile boolean installed;

    static synchronized void install() {
        if (installed) {
            return;
        }
        STORAGES.forEach((name, dtype) -> {
            Unpickler.registerConstructor("torch", name, new StorageType(dtype, name));
        });
        Unpickler.registerConstructor("collections", "OrderedDict", args -> {
            PickledOrderedDict d = new PickledOrderedDict();
            if (args.length == 1 && args[0] instanceof Map<?, ?> m) {
                d.putAll(m);
            }
            return d;
        });
        IObjectConstructor rebuild = TorchPickle::rebuildTensor;
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", rebuild);
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor", rebuild);
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", args -> args[0]);
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter_with_state", args -> args[0]);
        installed = true;
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof StorageRef storage)) {
            throw new PickleException("unexpected _rebuild_tensor arguments");
        }
        Object[] size = tuple(args[2]);
        Object[] stride = tuple(args[3]);
        int[] sz = new int[size.length];
        long[] st = new long[stride.length];
        for (int i = 0; i < sz.length; i++) {
            sz[i] = Math.toIntExact(((Number) size[i]).longValue());
        }
        for (int i = 0; i < st.length; i++) {
            st[i] = ((Number) stride[i]).longValue();
        }
        return new TensorRef(storage, ((Number) args[1]).longValue(), sz, st);
    }

    private static Object[] tuple(Object o) {
        if (o instanceof Object[] a) {
            return a;
        }
        if (o instanceof java.util.List<?> l) {
            return l.toArray();
        }
        throw new PickleException("expected a tuple, got " + o);
    }

    /** An Unpickler that turns torch's persistent ids into {@link StorageRef}s. Not thread-safe (one per read). */
    static final class Reader extends Unpickler {
        @Override
        protected Object persistentLoad(Object pid) {
            Object[] t = tuple(pid);
            if (t.length < 5 || !"storage".equals(t[0])) {
                throw new PickleException("unsupported persistent id " + java.util.Arrays.toString(t));
            }
            DType dtype;
            if (t[1] instanceof StorageType st) {
                dtype = st.dtype();
            } else {
                throw new PickleException("unsupported storage type " + t[1]);
            }
            return new StorageRef(dtype, String.valueOf(t[2]), ((Number) t[4]).longValue());
        }
    }
}
