package dev.kotune.trainer.validation;

import static dev.kotune.trainer.Jobs.submitted;
import static dev.kotune.trainer.Jobs.validSpec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.engine.SamplingParams;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.training.v1.Dataset;
import dev.kotune.proto.training.v1.DatasetFormat;
import dev.kotune.proto.training.v1.EvaluationSpec;
import dev.kotune.proto.training.v1.Example;
import dev.kotune.proto.training.v1.ExportOptions;
import dev.kotune.proto.training.v1.Hyperparameters;
import dev.kotune.proto.training.v1.InlineExamples;
import dev.kotune.proto.training.v1.PromptFormat;
import dev.kotune.proto.training.v1.TrainingJobSubmitted;
import dev.kotune.testing.SharedData;
import dev.kotune.trainer.Jobs;
import dev.kotune.trainer.dataset.DatasetReader;
import dev.kotune.trainer.domain.TrainingJob;
import dev.kotune.trainer.domain.ValidationError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobValidatorTest {

    @TempDir
    Path tmp;

    private JobValidator validator;

    @BeforeEach
    void validatorWithTheTemporaryDirectoryAsDataRoot() {
        validator = withRoots(tmp);
    }

    /** A validator whose data roots are {@code roots} and the built-in models directory. */
    private static JobValidator withRoots(Path... roots) {
        var all = new java.util.ArrayList<>(List.of(roots));
        all.add(dev.kotune.trainer.TestModels.REPO.resolve("models"));
        return new JobValidator(new DatasetReader(), dev.kotune.trainer.TestModels.locator(), new DataRoots(all));
    }

    private ValidationResult.Accepted accept(TrainingJobSubmitted job) {
        ValidationResult result = validator.validate("job-1", job);
        assertThat(result).isInstanceOf(ValidationResult.Accepted.class);
        return (ValidationResult.Accepted) result;
    }

    private List<ValidationError> reject(String jobId, TrainingJobSubmitted job) {
        ValidationResult result = validator.validate(jobId, job);
        assertThat(result).isInstanceOf(ValidationResult.Rejected.class);
        return ((ValidationResult.Rejected) result).errors();
    }

    private List<ValidationError> reject(TrainingJobSubmitted job) {
        return reject("job-1", job);
    }

    private static Hyperparameters.Builder hp() {
        return Hyperparameters.newBuilder();
    }

    @Test
    void fillsEveryDefaultOfTheNotebookJob() {
        var accepted = accept(submitted(validSpec()));
        TrainingJob job = accepted.job();
        assertThat(job.jobId()).isEqualTo("job-1");
        assertThat(job.baseModel()).isEqualTo("skt/kogpt2-base-v2");
        assertThat(job.tokenizer()).isEqualTo("skt/kogpt2-base-v2");
        assertThat(job.format().template()).isEqualTo("질문: {prompt}\n답변:{completion}");
        assertThat(job.format().appendEos()).isTrue();
        assertThat(job.format().maxLength()).isEqualTo(64);
        assertThat(job.format().completionOnly()).isFalse();
        var h = job.hyperparameters();
        assertThat(h.numTrainEpochs()).isEqualTo(20);
        assertThat(h.perDeviceTrainBatchSize()).isEqualTo(4);
        assertThat(h.gradientAccumulationSteps()).isEqualTo(1);
        assertThat(h.learningRate()).isEqualTo(3e-5);
        assertThat(h.weightDecay()).isEqualTo(0.01);
        assertThat(h.maxGradNorm()).isEqualTo(1.0);
        assertThat(h.seed()).isEqualTo(42);
        assertThat(h.loggingSteps()).isEqualTo(10);
        assertThat(h.dropout()).isTrue();
        assertThat(job.export().onnx()).isTrue();
        // The exporter's default flavour under the proto's name (FUSED = "optimized", PLAIN = "plain").
        assertThat(job.export().graphFlavor())
                .isEqualTo(
                        dev.kotune.export.GraphFlavour.DEFAULT == dev.kotune.export.GraphFlavour.FUSED
                                ? "optimized"
                                : "plain");
        assertThat(job.evaluation().prompts()).containsExactly("질문 0", "질문 1", "질문 2", "질문 3");
        assertThat(job.evaluation().generation()).isEqualTo(SamplingParams.notebook());
        assertThat(accepted.numExamples()).isEqualTo(12);
        // 12 examples / batch 4 = 3 steps per epoch, 20 epochs.
        assertThat(accepted.totalSteps()).isEqualTo(60);
    }

    @Test
    void countsStepsLikeHuggingFaceWithAPartialLastBatchAndAccumulation() {
        // 10 examples, batch 4 -> 3 batches (last one partial); accumulation 2 -> ceil(3/2) = 2 steps; 3 epochs.
        var spec = validSpec()
                .setDataset(Dataset.newBuilder().setInline(Jobs.examples(10)))
                .setHyperparameters(hp().setNumTrainEpochs(3).setGradientAccumulationSteps(2));
        assertThat(accept(submitted(spec)).totalSteps()).isEqualTo(6);
    }

    @Test
    void maxStepsOverridesEpochs() {
        var spec = validSpec().setHyperparameters(hp().setMaxSteps(7).setNumTrainEpochs(100));
        assertThat(accept(submitted(spec)).totalSteps()).isEqualTo(7);
    }

    @Test
    void theDatasetLimitCutsTheExamplesBeforeCounting() {
        var spec = validSpec()
                .setDataset(Dataset.newBuilder().setInline(Jobs.examples(12)).setLimit(5));
        var accepted = accept(submitted(spec));
        assertThat(accepted.numExamples()).isEqualTo(5);
        assertThat(accepted.totalSteps()).isEqualTo(2 * 20);
    }

    @Test
    void rejectsALearningRateAboveOneWithRangeAndValue() {
        var errors = reject(submitted(validSpec().setHyperparameters(hp().setLearningRate(5.0))));
        assertThat(errors)
                .containsExactly(new ValidationError("spec.hyperparameters.learning_rate", "5.0", "must be in (0, 1]"));
    }

    @Test
    void rejectsAZeroLearningRate() {
        assertThat(reject(submitted(validSpec().setHyperparameters(hp().setLearningRate(0)))))
                .extracting(ValidationError::field)
                .containsExactly("spec.hyperparameters.learning_rate");
    }

    @Test
    void reportsEveryHyperparameterProblemNotOnlyTheFirst() {
        var errors = reject(submitted(validSpec()
                .setHyperparameters(hp().setNumTrainEpochs(0)
                        .setMaxSteps(-1)
                        .setPerDeviceTrainBatchSize(257)
                        .setGradientAccumulationSteps(1025)
                        .setLearningRate(Double.NaN)
                        .setWeightDecay(1.5)
                        .setWarmupSteps(-3)
                        .setMaxGradNorm(0)
                        .setLoggingSteps(0)
                        .setSaveSteps(-1))));
        assertThat(errors)
                .extracting(ValidationError::toString)
                .containsExactly(
                        "spec.hyperparameters.num_train_epochs: must be in [1, 1000], got 0",
                        "spec.hyperparameters.max_steps: must be >= 0, got -1",
                        "spec.hyperparameters.per_device_train_batch_size: must be in [1, 256], got 257",
                        "spec.hyperparameters.gradient_accumulation_steps: must be in [1, 1024], got 1025",
                        "spec.hyperparameters.learning_rate: must be in (0, 1], got NaN",
                        "spec.hyperparameters.weight_decay: must be in [0, 1], got 1.5",
                        "spec.hyperparameters.warmup_steps: must be >= 0, got -3",
                        "spec.hyperparameters.max_grad_norm: must be > 0 and finite, got 0.0",
                        "spec.hyperparameters.logging_steps: must be >= 1, got 0",
                        "spec.hyperparameters.save_steps: must be >= 0, got -1");
    }

    @Test
    void acceptsTheRangeBoundaries() {
        var spec = validSpec()
                .setHyperparameters(hp().setNumTrainEpochs(1000)
                        .setPerDeviceTrainBatchSize(256)
                        .setGradientAccumulationSteps(1024)
                        .setLearningRate(1.0)
                        .setWeightDecay(0)
                        .setLoggingSteps(1))
                .setFormat(PromptFormat.newBuilder().setMaxLength(8));
        accept(submitted(spec));
        accept(submitted(validSpec().setFormat(PromptFormat.newBuilder().setMaxLength(1024))));
    }

    @Test
    void rejectsThreeProblemsInDifferentSectionsTogether() {
        var spec = validSpec()
                .clearBaseModel()
                .setFormat(
                        PromptFormat.newBuilder().setTemplate("Q: {question}").setMaxLength(4))
                .setHyperparameters(hp().setPerDeviceTrainBatchSize(0));
        assertThat(reject(submitted(spec)))
                .extracting(ValidationError::field)
                .containsExactly(
                        "spec.base_model",
                        "spec.format.template",
                        "spec.format.max_length",
                        "spec.hyperparameters.per_device_train_batch_size");
    }

    @Test
    void rejectsAJobIdOutsideThePattern() {
        assertThat(reject("bad id/..", submitted(validSpec())))
                .extracting(ValidationError::toString)
                .containsExactly("job_id: must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}, got \"bad id/..\"");
        assertThat(reject("x".repeat(129), submitted(validSpec())))
                .extracting(ValidationError::field)
                .containsExactly("job_id");
    }

    @Test
    void rejectsASubmissionWithoutSpec() {
        assertThat(reject(TrainingJobSubmitted.getDefaultInstance()))
                .extracting(ValidationError::toString)
                .containsExactly("spec: is required (the job's TrainingJobSpec)");
    }

    @Test
    void requiresADataset() {
        assertThat(reject(submitted(validSpec().clearDataset())))
                .extracting(ValidationError::field)
                .containsExactly("spec.dataset");
        assertThat(reject(submitted(validSpec().setDataset(Dataset.newBuilder().setLimit(3)))))
                .extracting(ValidationError::field)
                .containsExactly("spec.dataset");
    }

    @Test
    void rejectsEmptyAndBlankInlineExamplesNamingEachOne() {
        assertThat(reject(submitted(
                        validSpec().setDataset(Dataset.newBuilder().setInline(InlineExamples.getDefaultInstance())))))
                .extracting(ValidationError::toString)
                .containsExactly("spec.dataset.inline.examples: must hold 1 to 10000 examples, got 0");
        var examples = Jobs.examples(3).toBuilder()
                .setExamples(1, Example.newBuilder().setPrompt("  ").setCompletion(" ok"))
                .setExamples(2, Example.newBuilder().setPrompt("q").setCompletion(""));
        assertThat(reject(submitted(validSpec().setDataset(Dataset.newBuilder().setInline(examples)))))
                .extracting(ValidationError::field)
                .containsExactly(
                        "spec.dataset.inline.examples[1].prompt", "spec.dataset.inline.examples[2].completion");
    }

    @Test
    void rejectsMoreThanTenThousandInlineExamples() {
        var spec = validSpec().setDataset(Dataset.newBuilder().setInline(Jobs.examples(10_001)));
        assertThat(reject(submitted(spec)))
                .extracting(ValidationError::toString)
                .containsExactly("spec.dataset.inline.examples: must hold 1 to 10000 examples, got 10001");
    }

    @Test
    void rejectsAFileDatasetWithoutFormatAndARelativeOrMissingFile() {
        var noFormat = validSpec().setDataset(Dataset.newBuilder().setUri("relative/data.jsonl"));
        assertThat(reject(submitted(noFormat)))
                .extracting(ValidationError::field)
                .containsExactly("spec.dataset.format", "spec.dataset.uri");
        var missing = validSpec()
                .setDataset(Dataset.newBuilder()
                        .setUri(tmp.resolve("nope.jsonl").toString())
                        .setFormat(DatasetFormat.DATASET_FORMAT_JSONL));
        assertThat(reject(submitted(missing)))
                .extracting(ValidationError::message)
                .singleElement()
                .asString()
                .startsWith("must be a readable file");
    }

    @Test
    void loadsAJsonlFileGivenByFileUriAndCountsItsExamples() throws IOException {
        Path file = tmp.resolve("data.jsonl");
        Files.writeString(file, """
                {"prompt": "안녕?", "completion": " 안녕하세요!"}

                {"prompt": "뭐해?", "completion": " 일해요."}
                {"prompt": "잘 자", "completion": " 좋은 꿈 꾸세요."}
                """);
        var spec = validSpec()
                .setDataset(Dataset.newBuilder()
                        .setUri(file.toUri().toString())
                        .setFormat(DatasetFormat.DATASET_FORMAT_JSONL));
        var accepted = accept(submitted(spec));
        assertThat(accepted.numExamples()).isEqualTo(3);
        assertThat(accepted.job().dataset().path()).isEqualTo(file.toRealPath().toString());
        assertThat(accepted.job().evaluation().prompts()).containsExactly("안녕?", "뭐해?", "잘 자");
        assertThat(accepted.totalSteps()).isEqualTo(20);
    }

    @Test
    void reportsBadLinesOfAJsonlFileWithTheirNumbers() throws IOException {
        Path file = tmp.resolve("bad.jsonl");
        Files.writeString(file, """
                {"prompt": "안녕?", "completion": " 안녕하세요!"}
                not json
                {"prompt": "", "completion": " 일해요."}
                """);
        var spec = validSpec()
                .setDataset(Dataset.newBuilder().setUri(file.toString()).setFormat(DatasetFormat.DATASET_FORMAT_JSONL));
        assertThat(reject(submitted(spec)))
                .extracting(ValidationError::toString)
                .containsExactly(
                        "spec.dataset.uri: must hold a non-blank prompt and completion in every record, got \"line 2:"
                                + " not a JSON object\"",
                        "spec.dataset.uri: must hold a non-blank prompt and completion in every record, got \"line 3:"
                                + " prompt is blank\"");
    }

    @Test
    void readsTheRealChatbotCsvWithItsQAndAColumns() {
        Path csv = SharedData.require("chatbot/ChatbotData.csv");
        var spec = validSpec()
                .setDataset(Dataset.newBuilder().setUri(csv.toString()).setFormat(DatasetFormat.DATASET_FORMAT_CSV));
        validator = withRoots(csv.getParent());
        var accepted = accept(submitted(spec));
        // data/README.md: 11,823 question/answer pairs.
        assertThat(accepted.numExamples()).isEqualTo(11_823);
        assertThat(accepted.job().dataset().promptColumn()).isEqualTo("Q");
        assertThat(accepted.job().dataset().completionColumn()).isEqualTo("A");
        assertThat(accepted.job().evaluation().prompts())
                .containsExactly("12시 땡!", "1지망 학교 떨어졌어", "3박4일 놀러가고 싶다", "3박4일 정도 놀러가고 싶다");
        // ceil(11823 / 4) = 2956 steps per epoch, 20 epochs.
        assertThat(accepted.totalSteps()).isEqualTo(2956L * 20);
    }

    @Test
    void rejectsACsvColumnThatIsNotInTheHeader() {
        Path csv = SharedData.require("chatbot/ChatbotData.csv");
        var spec = validSpec()
                .setDataset(Dataset.newBuilder()
                        .setUri(csv.toString())
                        .setFormat(DatasetFormat.DATASET_FORMAT_CSV)
                        .setPromptColumn("question"));
        validator = withRoots(csv.getParent());
        assertThat(reject(submitted(spec)))
                .extracting(ValidationError::toString)
                .singleElement()
                .asString()
                .startsWith("spec.dataset.uri: must be readable as CSV (no column \"question\" in the CSV header (")
                .doesNotContain("12시 땡!");
    }

    @Test
    void boundsMaxLengthByTheBaseModelDirectorysNPositions() throws IOException {
        Path model = Files.createDirectory(tmp.resolve("tiny"));
        Files.writeString(model.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_positions\": 32}");
        var ok = validSpec()
                .setBaseModel(model.toString())
                .setFormat(PromptFormat.newBuilder().setMaxLength(32));
        assertThat(accept(submitted(ok)).job().baseModel())
                .isEqualTo(model.toRealPath().toString());
        var tooLong = validSpec()
                .setBaseModel(model.toUri().toString())
                .setFormat(PromptFormat.newBuilder().setMaxLength(33));
        assertThat(reject(submitted(tooLong)))
                .extracting(ValidationError::toString)
                .containsExactly("spec.format.max_length: must be in [8, 32], got 33");
    }

    @Test
    void rejectsABaseModelDirectoryWithoutConfig() {
        assertThat(reject(submitted(validSpec().setBaseModel(tmp.toString()))))
                .extracting(ValidationError::field)
                .containsExactly("spec.base_model");
        assertThat(reject(submitted(validSpec().setBaseModel("not a model!"))))
                .extracting(ValidationError::field)
                .containsExactly("spec.base_model");
    }

    @Test
    void rejectsAnUnknownBuiltInModelOrTokenizerListingTheKnownOnes() {
        var errors = reject(submitted(validSpec().setBaseModel("kotune/nope").setTokenizer("kotune/nope-either")));
        assertThat(errors).extracting(ValidationError::field).containsExactly("spec.base_model", "spec.tokenizer");
        assertThat(errors.get(0).message())
                .startsWith("no built-in model \"kotune/nope\" in ")
                .contains("kotune/ko-bpe-8k");
    }

    @Test
    void boundsMaxLengthByTheBuiltInModelsNPositions() {
        // models/kotune-tiny-ko/config.json: n_positions 128.
        var ok = validSpec()
                .setBaseModel("kotune/tiny-ko")
                .setFormat(PromptFormat.newBuilder().setMaxLength(128));
        assertThat(accept(submitted(ok)).job().baseModel()).isEqualTo("kotune/tiny-ko");
        var tooLong = validSpec()
                .setBaseModel("kotune/tiny-ko")
                .setFormat(PromptFormat.newBuilder().setMaxLength(129));
        assertThat(reject(submitted(tooLong)))
                .extracting(ValidationError::toString)
                .containsExactly("spec.format.max_length: must be in [8, 128], got 129");
    }

    @Test
    void acceptsABuiltInTokenizerByName() {
        assertThat(accept(submitted(validSpec().setTokenizer("kotune/ko-bpe-8k")))
                        .job()
                        .tokenizer())
                .isEqualTo("kotune/ko-bpe-8k");
    }

    @Test
    void rejectsATemplateWhoseCompletionComesBeforeThePrompt() {
        assertThat(reject(submitted(
                        validSpec().setFormat(PromptFormat.newBuilder().setTemplate("{completion} / {prompt}")))))
                .extracting(ValidationError::toString)
                .containsExactly("spec.format.template: must contain {prompt} and {completion} exactly once each, "
                        + "{completion} after {prompt}, got \"{completion} / {prompt}\"");
    }

    @Test
    void rejectsAnUnknownGraphFlavorAndTooManyLabels() {
        var spec = validSpec().setExport(ExportOptions.newBuilder().setGraphFlavor("fast"));
        for (int i = 0; i < 33; i++) {
            spec.putLabels("k" + i, "v");
        }
        assertThat(reject(submitted(spec)))
                .extracting(ValidationError::toString)
                .containsExactly(
                        "spec.export.graph_flavor: must be \"optimized\", \"plain\" or \"int8\", got \"fast\"",
                        "spec.labels: must hold at most 32 labels, got 33");
    }

    @Test
    void validatesTheEvaluationsGenerationParameters() {
        var generation = GenerationParameters.newBuilder()
                .setTemperature(0)
                .setTopP(1.5f)
                .setTopK(-1)
                .setRepetitionPenalty(11)
                .setNoRepeatNgramSize(17)
                .setLogprobs(21)
                .addStop("");
        var spec = validSpec()
                .setEvaluation(EvaluationSpec.newBuilder().addPrompts(" ").setGeneration(generation));
        assertThat(reject(submitted(spec)))
                .extracting(ValidationError::field)
                .containsExactly(
                        "spec.evaluation.prompts[0]",
                        "spec.evaluation.generation.temperature",
                        "spec.evaluation.generation.top_k",
                        "spec.evaluation.generation.top_p",
                        "spec.evaluation.generation.repetition_penalty",
                        "spec.evaluation.generation.no_repeat_ngram_size",
                        "spec.evaluation.generation.stop[0]",
                        "spec.evaluation.generation.logprobs");
    }

    @Test
    void keepsGivenEvaluationPromptsAndFillsHuggingFaceGenerationDefaults() {
        var spec = validSpec()
                .setEvaluation(EvaluationSpec.newBuilder()
                        .addPrompts("안녕?")
                        .setGeneration(GenerationParameters.newBuilder()
                                .setDoSample(true)
                                .setTemperature(0.7f)));
        var eval = accept(submitted(spec)).job().evaluation();
        assertThat(eval.prompts()).containsExactly("안녕?");
        assertThat(eval.generation().doSample()).isTrue();
        assertThat(eval.generation().temperature()).isEqualTo(0.7);
        assertThat(eval.generation().topK()).isEqualTo(50);
        assertThat(eval.generation().topP()).isEqualTo(1.0);
        assertThat(eval.generation().maxLength()).isEqualTo(64);
        assertThat(eval.generation().ignoreEos()).isFalse();
    }
}
