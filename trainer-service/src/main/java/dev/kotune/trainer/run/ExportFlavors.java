package dev.kotune.trainer.run;

import dev.kotune.export.GraphFlavour;
import dev.kotune.trainer.domain.ExportOptions;

/**
 * The proto's graph flavour names ("optimized", "plain") and the exporter's {@link GraphFlavour} (FUSED, PLAIN).
 * Stateless.
 */
public final class ExportFlavors {

    private ExportFlavors() {}

    /** "optimized" → FUSED, "plain" → PLAIN. */
    public static GraphFlavour toExporter(String protoName) {
        return switch (protoName) {
            case ExportOptions.OPTIMIZED -> GraphFlavour.FUSED;
            case ExportOptions.PLAIN -> GraphFlavour.PLAIN;
            default ->
                throw new IllegalArgumentException(
                        "graph flavour must be \"optimized\" or \"plain\", got \"" + protoName + "\"");
        };
    }

    /** FUSED → "optimized", PLAIN → "plain". */
    public static String toProto(GraphFlavour flavour) {
        return switch (flavour) {
            case FUSED -> ExportOptions.OPTIMIZED;
            case PLAIN -> ExportOptions.PLAIN;
        };
    }
}
