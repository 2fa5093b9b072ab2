package dev.kotune.checkpoint.pickle;

import java.util.HashMap;
import java.util.LinkedHashMap;

/**
 * Python's {@code collections.OrderedDict} as Pyrolite builds it from a torch pickle. Public only because Pyrolite
 * calls {@link #__setstate__} reflectively (the {@code _metadata} attribute torch attaches to a state dict, which is
 * ignored); not part of the module's API. Not thread-safe (a plain map).
 */
public final class PickledOrderedDict extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;

    /** Receives the pickled instance {@code __dict__} (e.g. {@code {'_metadata': ...}}); ignored. */
    public void __setstate__(HashMap<?, ?> state) {
        // module versions; the weights do not depend on them
    }
}
