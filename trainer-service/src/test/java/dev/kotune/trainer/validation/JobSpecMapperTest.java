package dev.kotune.trainer.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.engine.SamplingParams;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.training.v1.Dataset;
import dev.kotune.proto.training.v1.DatasetFormat;
import dev.kotune.proto.training.v1.ExportOptions;
import dev.kotune.proto.training.v1.Hyperparameters;
import dev.kotune.proto.training.v1.PromptFormat;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import dev.kotune.tokenization.Example;
import dev.kotune.trainer.Jobs;
import dev.kotune.trainer.domain.ValidationError;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link JobSpecMapper}: proto to domain with every default, values copied as given for the rules to judge. */
class JobSpecMapperTest {

    @Test
    void inlineExamplesAreCopiedAndANegativeLimitMeansAll() {
        var d = Dataset.newBuilder().setInline(Jobs.examples(2)).setLimit(-5).build();
        var inline = JobSpecMapper.inline(d);
        assertThat(inline.isInline()).isTrue();
        assertThat(inline.examples()).containsExactly(new Example("질문 0", " 답변 0"), new Example("질문 1", " 답변 1"));
        assertThat(inline.limit()).isZero();
    }

    @Test
    void fileFormatsMapAndUnspecifiedMapsToNone() {
        assertThat(JobSpecMapper.fileFormat(DatasetFormat.DATASET_FORMAT_CSV))
                .isEqualTo(dev.kotune.trainer.domain.DatasetFormat.CSV);
        assertThat(JobSpecMapper.fileFormat(DatasetFormat.DATASET_FORMAT_JSONL))
                .isEqualTo(dev.kotune.trainer.domain.DatasetFormat.JSONL);
        assertThat(JobSpecMapper.fileFormat(DatasetFormat.DATASET_FORMAT_UNSPECIFIED))
                .isNull();
    }

    @Test
    void aCsvFileDefaultsToTheQAndAColumnsAndKeepsGivenOnes() {
        var csv = dev.kotune.trainer.domain.DatasetFormat.CSV;
        var defaulted = JobSpecMapper.file(Dataset.getDefaultInstance(), csv, Path.of("/d/c.csv"));
        assertThat(defaulted.promptColumn()).isEqualTo("Q");
        assertThat(defaulted.completionColumn()).isEqualTo("A");
        assertThat(defaulted.path()).isEqualTo("/d/c.csv");
        var given = JobSpecMapper.file(
                Dataset.newBuilder()
                        .setPromptColumn("question")
                        .setCompletionColumn("answer")
                        .setLimit(7)
                        .build(),
                csv,
                Path.of("/d/c.csv"));
        assertThat(given.promptColumn()).isEqualTo("question");
        assertThat(given.completionColumn()).isEqualTo("answer");
        assertThat(given.limit()).isEqualTo(7);
    }

    @Test
    void formatDefaultsToTheNotebooksAndCopiesGivenValuesAsTheyAre() {
        var defaulted = JobSpecMapper.format(TrainingJobSpec.getDefaultInstance());
        assertThat(defaulted.template()).isEqualTo(dev.kotune.trainer.domain.PromptFormat.DEFAULT_TEMPLATE);
        assertThat(defaulted.appendEos()).isTrue();
        assertThat(defaulted.maxLength()).isEqualTo(64);
        var given = JobSpecMapper.format(TrainingJobSpec.newBuilder()
                .setFormat(PromptFormat.newBuilder().setMaxLength(-3).setAppendEos(false))
                .build());
        assertThat(given.maxLength()).isEqualTo(-3); // JobRules judges it
        assertThat(given.appendEos()).isFalse();
    }

    @Test
    void hyperparametersDefaultToHfTrainingArgumentsAsTheNotebookSetThem() {
        var h = JobSpecMapper.hyperparameters(TrainingJobSpec.getDefaultInstance());
        assertThat(h.numTrainEpochs()).isEqualTo(20);
        assertThat(h.perDeviceTrainBatchSize()).isEqualTo(4);
        assertThat(h.learningRate()).isEqualTo(3e-5);
        assertThat(h.weightDecay()).isEqualTo(0.01);
        assertThat(h.seed()).isEqualTo(42);
        assertThat(h.loggingSteps()).isEqualTo(10);
        assertThat(h.maxGradNorm()).isEqualTo(1.0);
        assertThat(h.dropout()).isTrue();
        var given = JobSpecMapper.hyperparameters(TrainingJobSpec.newBuilder()
                .setHyperparameters(
                        Hyperparameters.newBuilder().setLearningRate(5).setDropout(false))
                .build());
        assertThat(given.learningRate()).isEqualTo(5.0);
        assertThat(given.dropout()).isFalse();
    }

    @Test
    void exportDefaultsToOnnxWithTheExportersFlavour() {
        var e = JobSpecMapper.export(TrainingJobSpec.getDefaultInstance());
        assertThat(e.onnx()).isTrue();
        assertThat(e.graphFlavor()).isIn(dev.kotune.trainer.domain.ExportOptions.PLAIN, "optimized");
        var given = JobSpecMapper.export(TrainingJobSpec.newBuilder()
                .setExport(ExportOptions.newBuilder().setOnnx(false).setGraphFlavor("fast"))
                .build());
        assertThat(given.onnx()).isFalse();
        assertThat(given.graphFlavor()).isEqualTo("fast");
    }

    @Test
    void generationGoesThroughTheEnginesContract() {
        Problems ok = new Problems();
        SamplingParams params = JobSpecMapper.generation(
                GenerationParameters.newBuilder().setTemperature(0.3f).build(), "p.", ok);
        assertThat(ok.errors()).isEmpty();
        assertThat(params).isNotNull();

        Problems bad = new Problems();
        assertThat(JobSpecMapper.generation(
                        GenerationParameters.newBuilder().setTopP(1.5f).build(), "spec.evaluation.generation.", bad))
                .isNull();
        assertThat(bad.errors()).hasSize(1);
        ValidationError e = bad.errors().get(0);
        assertThat(e.field()).isEqualTo("spec.evaluation.generation.top_p");
        assertThat(e.value()).isEqualTo("1.5");
        assertThat(e.allowed()).startsWith("must be in (0, 1]");
    }
}
