package dev.kotune.trainer.validation;

import dev.kotune.engine.SamplingParams;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import dev.kotune.proto.training.v1.TrainingJobSubmitted;
import dev.kotune.tokenization.Example;
import dev.kotune.trainer.dataset.DatasetReader;
import dev.kotune.trainer.domain.Dataset;
import dev.kotune.trainer.domain.DatasetFormat;
import dev.kotune.trainer.domain.EvaluationSpec;
import dev.kotune.trainer.domain.ExportOptions;
import dev.kotune.trainer.domain.Hyperparameters;
import dev.kotune.trainer.domain.PromptFormat;
import dev.kotune.trainer.domain.TrainingJob;
import dev.kotune.trainer.domain.ValidationError;
import dev.kotune.trainer.run.ModelLocator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validates a {@code TrainingJobSubmitted} against the rules written in {@code training_events.proto} and maps it to
 * the domain's {@link TrainingJob} with every default filled in. Every problem is reported, in field order, as a
 * {@code ValidationError(field path, value, allowed)}, printed e.g.
 * {@code spec.hyperparameters.learning_rate: must be in (0, 1], got 5.0}. Local paths must lie under the
 * {@link DataRoots} and are refused by name before they are opened; no problem carries a file's content.
 *
 * <p>This is the service's edge: proto types stop here. It runs, field by field, the mapping
 * ({@link JobSpecMapper}), the pure rules on the domain values ({@link JobRules}) and the checks that touch disk
 * ({@link JobFileChecks}: base model, tokenizer, dataset). Hub ids are assumed to be GPT-2 sized,
 * {@value #DEFAULT_N_POSITIONS} positions; the runner checks the real config when it loads the model. The
 * evaluation's generation settings are the engine's own {@code SamplingParams} contract. Stateless and thread-safe.
 */
public final class JobValidator {

    /**
     * Job ids: also directory names ({@code jobs/<id>}) and record keys, so a letter or digit first (never {@code .} or
     * {@code ..}), then up to 127 letters, digits, {@code .}, {@code _} or {@code -}. Checked by {@link #validate} (field
     * {@code job_id}); {@link #jobIdProblems} gives the same check alone, for a caller that must refuse an id before
     * anything else (e.g. before keying a rejection by it).
     */
    public static final Pattern JOB_ID =
            Pattern.compile(dev.kotune.proto.training.v1.JobIds.RULE); // the contract's rule
    /** Context length assumed for models not given as a directory (GPT-2 and KoGPT2: 1024). */
    public static final int DEFAULT_N_POSITIONS = 1024;
    /** Inline examples allowed in one job. */
    public static final int MAX_INLINE_EXAMPLES = 10_000;
    /** Labels allowed on one job. */
    public static final int MAX_LABELS = 32;
    /** Evaluation prompts allowed on one job. */
    public static final int MAX_EVALUATION_PROMPTS = 16;
    /** Evaluation prompts taken from the examples when none are given. */
    public static final int DEFAULT_EVALUATION_PROMPTS = 4;

    private final JobFileChecks files;

    /**
     * @param datasetReader reads file datasets
     * @param models        finds built-in models and tokenizers ({@code kotune/...})
     * @param roots         where the job's local paths may lie
     */
    public JobValidator(DatasetReader datasetReader, ModelLocator models, DataRoots roots) {
        this.files = new JobFileChecks(datasetReader, models, roots);
    }

    /** With the data roots the locator was made with ({@link ModelLocator#dataRoots()}). */
    public JobValidator(DatasetReader datasetReader, ModelLocator models) {
        this(datasetReader, models, new DataRoots(models.dataRoots()));
    }

    /** The job id's problems alone (empty when it is valid), as {@link #validate} reports them. */
    public static List<ValidationError> jobIdProblems(String jobId) {
        Problems problems = new Problems();
        JobRules.jobId(jobId, problems);
        return List.copyOf(problems.errors());
    }

    /** Validates {@code submitted} for the job {@code jobId} (the envelope's job_id). */
    public ValidationResult validate(String jobId, TrainingJobSubmitted submitted) {
        Problems problems = new Problems();
        JobRules.jobId(jobId, problems);
        if (!submitted.hasSpec()) {
            problems.required("spec", "the job's TrainingJobSpec");
            return new ValidationResult.Rejected(problems.errors());
        }
        TrainingJobSpec spec = submitted.getSpec();

        JobFileChecks.BaseModel base = files.baseModel(spec.getBaseModel(), problems);
        String tokenizer = files.tokenizer(spec.getTokenizer(), problems);
        Dataset dataset = dataset(spec, problems);
        List<Example> examples = files.loadExamples(dataset, problems);
        PromptFormat format = JobSpecMapper.format(spec);
        JobRules.format(format, base.nPositions(), problems);
        Hyperparameters hp = JobSpecMapper.hyperparameters(spec);
        JobRules.hyperparameters(hp, problems);
        ExportOptions export = JobSpecMapper.export(spec);
        JobRules.export(export, problems);
        EvaluationSpec evaluation = evaluation(spec, examples, base.nPositions(), problems);
        Map<String, String> labels = spec.getLabelsMap();
        JobRules.labels(labels, problems);

        if (!problems.isEmpty()) {
            return new ValidationResult.Rejected(problems.errors());
        }
        TrainingJob job = new TrainingJob(
                jobId,
                base.name(),
                tokenizer.isEmpty() ? base.name() : tokenizer,
                dataset,
                format,
                hp,
                export,
                evaluation,
                labels);
        return new ValidationResult.Accepted(job, examples.size(), hp.totalSteps(examples.size()));
    }

    /** The dataset, null (with its problems) when there is none to read. */
    private Dataset dataset(TrainingJobSpec spec, Problems problems) {
        String field = "spec.dataset";
        if (!spec.hasDataset()) {
            problems.required(field, "inline examples or a file uri");
            return null;
        }
        var d = spec.getDataset();
        JobRules.datasetLimit(d.getLimit(), problems);
        switch (d.getSourceCase()) {
            case INLINE -> {
                Dataset inline = JobSpecMapper.inline(d);
                JobRules.inlineExamples(inline.examples(), problems);
                return inline;
            }
            case URI -> {
                DatasetFormat format = JobSpecMapper.fileFormat(d.getFormat());
                if (format == null) {
                    problems.add(
                            field + ".format",
                            d.getFormat().name(),
                            "must be DATASET_FORMAT_JSONL or DATASET_FORMAT_CSV with a uri");
                }
                Path path = files.datasetFile(d.getUri(), problems);
                return format == null || path == null ? null : JobSpecMapper.file(d, format, path);
            }
            default -> {
                problems.required(field, "a source: inline examples or a file uri");
                return null;
            }
        }
    }

    /** The evaluation: the given prompts, else the first examples' prompts; the generation contract's settings. */
    private static EvaluationSpec evaluation(
            TrainingJobSpec spec, List<Example> examples, int nPositions, Problems problems) {
        var ev = spec.getEvaluation();
        String p = "spec.evaluation.";
        List<String> prompts = ev.getPromptsList();
        JobRules.evaluationPrompts(prompts, problems);
        if (prompts.isEmpty()) {
            prompts = examples.stream()
                    .limit(DEFAULT_EVALUATION_PROMPTS)
                    .map(Example::prompt)
                    .toList();
        }
        SamplingParams generation = SamplingParams.notebook();
        if (ev.hasGeneration()) {
            SamplingParams given = JobSpecMapper.generation(ev.getGeneration(), p + "generation.", problems);
            if (given != null) {
                JobRules.generationContext(given, nPositions, p + "generation.", problems);
                generation = given;
            }
        }
        return new EvaluationSpec(prompts, generation);
    }
}
