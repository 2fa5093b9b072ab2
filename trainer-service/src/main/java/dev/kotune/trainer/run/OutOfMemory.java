package dev.kotune.trainer.run;

import java.util.Locale;

/** Tells a native allocation failure (libtorch, ONNX Runtime) from other engine errors by its message. Stateless. */
final class OutOfMemory {

    private OutOfMemory() {}

    static boolean is(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
            String m = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("out of memory")
                    || m.contains("can't allocate memory")
                    || m.contains("cannot allocate memory")
                    || m.contains("defaultcpuallocator")
                    || m.contains("bad_alloc")) {
                return true;
            }
        }
        return false;
    }
}
