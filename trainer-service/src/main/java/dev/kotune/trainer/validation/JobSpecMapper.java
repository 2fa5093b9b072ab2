package dev.kotune.trainer.validation;

import dev.kotune.engine.InvalidParamsException;
import dev.kotune.engine.SamplingParams;
import dev.kotune.export.GraphFlavour;
import dev.kotune.generation.proto.GenerationParametersMapping;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import dev.kotune.tokenization.Example;
import dev.kotune.trainer.domain.Dataset;
import dev.kotune.trainer.domain.DatasetFormat;
import dev.kotune.trainer.domain.ExportOptions;
import dev.kotune.trainer.domain.Hyperparameters;
import dev.kotune.trainer.domain.PromptFormat;
import dev.kotune.trainer.run.ExportFlavors;
import java.nio.file.Path;
import java.util.List;

/**
 * Maps the proto {@code TrainingJobSpec}'s parts to the domain's records with every default filled in: the service's
 * edge, where proto types stop. Values are copied as given (out-of-range ones included) for {@link JobRules} to judge;
 * the only problems reported here are those that leave no domain value to judge: an unknown dataset format and
 * generation settings the engine's contract ({@link GenerationParametersMapping}) refuses. Stateless and thread-safe.
 */
public final class JobSpecMapper {

    private JobSpecMapper() {}

    /** The inline examples as given, with the limit (negative counts as 0 = all). */
    public static Dataset inline(dev.kotune.proto.training.v1.Dataset d) {
        List<Example> examples = d.getInline().getExamplesList().stream()
                .map(e -> new Example(e.getPrompt(), e.getCompletion()))
                .toList();
        return Dataset.inline(examples, Math.max(d.getLimit(), 0));
    }

    /** The file format named by the proto, or null when it names none. */
    public static DatasetFormat fileFormat(dev.kotune.proto.training.v1.DatasetFormat format) {
        return switch (format) {
            case DATASET_FORMAT_JSONL -> DatasetFormat.JSONL;
            case DATASET_FORMAT_CSV -> DatasetFormat.CSV;
            default -> null;
        };
    }

    /** A file dataset at {@code path}: CSV columns default to Q and A, a negative limit counts as 0 (all). */
    public static Dataset file(dev.kotune.proto.training.v1.Dataset d, DatasetFormat format, Path path) {
        String promptColumn = d.getPromptColumn().isEmpty() ? "Q" : d.getPromptColumn();
        String completionColumn = d.getCompletionColumn().isEmpty() ? "A" : d.getCompletionColumn();
        return new Dataset(
                format, List.of(), path.toString(), promptColumn, completionColumn, Math.max(d.getLimit(), 0));
    }

    /** The prompt format: the notebook's template, EOS appended and 64 tokens unless given. */
    public static PromptFormat format(TrainingJobSpec spec) {
        var f = spec.getFormat();
        String template = f.getTemplate().isEmpty() ? PromptFormat.DEFAULT_TEMPLATE : f.getTemplate();
        int maxLength = f.hasMaxLength() ? f.getMaxLength() : 64;
        return new PromptFormat(template, !f.hasAppendEos() || f.getAppendEos(), maxLength, f.getCompletionOnly());
    }

    /** The hyperparameters, HF TrainingArguments' defaults (as the notebook set them) where unset. */
    public static Hyperparameters hyperparameters(TrainingJobSpec spec) {
        var h = spec.getHyperparameters();
        return new Hyperparameters(
                h.hasNumTrainEpochs() ? h.getNumTrainEpochs() : 20,
                h.getMaxSteps(),
                h.hasPerDeviceTrainBatchSize() ? h.getPerDeviceTrainBatchSize() : 4,
                h.hasGradientAccumulationSteps() ? h.getGradientAccumulationSteps() : 1,
                h.hasLearningRate() ? h.getLearningRate() : 3e-5,
                h.hasWeightDecay() ? h.getWeightDecay() : 0.01,
                h.getWarmupSteps(),
                h.hasMaxGradNorm() ? h.getMaxGradNorm() : 1.0,
                h.hasSeed() ? h.getSeed() : 42,
                h.hasLoggingSteps() ? h.getLoggingSteps() : 10,
                h.getSaveSteps(),
                !h.hasDropout() || h.getDropout());
    }

    /** The export options: ONNX on, and unset the exporter's default flavour, named as the proto names flavours. */
    public static ExportOptions export(TrainingJobSpec spec) {
        var e = spec.getExport();
        String flavor = e.getGraphFlavor().isEmpty() ? ExportFlavors.toProto(GraphFlavour.DEFAULT) : e.getGraphFlavor();
        return new ExportOptions(!e.hasOnnx() || e.getOnnx(), flavor);
    }

    /**
     * The generation settings through the engine's generation contract (unset fields take its defaults); what the
     * contract refuses is reported under {@code prefix} and the notebook's settings are returned.
     */
    static SamplingParams generation(GenerationParameters g, String prefix, Problems problems) {
        try {
            return GenerationParametersMapping.toBuilder(g).build();
        } catch (InvalidParamsException e) {
            e.problems().forEach(x -> problems.engine(prefix, x));
            return null;
        }
    }
}
