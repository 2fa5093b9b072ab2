package dev.kotune.trainer.run;

import dev.kotune.export.GraphFlavour;
import dev.kotune.trainer.domain.ExportOptions;

/**
 * The proto's graph flavour names ("optimized", "plain", "int8") and the exporter's {@link GraphFlavour} (FUSED,
 * PLAIN, INT8).
 * Stateless.
 */
public final class ExportFlavors {

    private ExportFlavors() {}

    /** "optimized" → FUSED, "plain" → PLAIN, "int8" → INT8. */
    public static GraphFlavour toExporter(String protoName) {
        return switch (protoName) {
            case ExportOptions.OPTIMIZED -> GraphFlavour.FUSED;
            case ExportOptions.PLAIN -> GraphFlavour.PLAIN;
            case ExportOptions.INT8 -> GraphFlavour.INT8;
            default ->
                throw new IllegalArgumentException(
                        "graph flavour must be \"optimized\", \"plain\" or \"int8\", got \"" + protoName + "\"");
        };
    }

    /** FUSED → "optimized", PLAIN → "plain", INT8 → "int8". */
    public static String toProto(GraphFlavour flavour) {
        return switch (flavour) {
            case FUSED -> ExportOptions.OPTIMIZED;
            case PLAIN -> ExportOptions.PLAIN;
            case INT8 -> ExportOptions.INT8;
        };
    }
}
