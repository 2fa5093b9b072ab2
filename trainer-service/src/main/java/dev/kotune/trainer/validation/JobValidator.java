package dev.kotune.trainer.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.engine.InvalidParamsException;
import dev.kotune.engine.ModelInfo;
import dev.kotune.engine.SamplingParams;
import dev.kotune.generation.proto.GenerationParametersMapping;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import dev.kotune.proto.training.v1.TrainingJobSubmitted;
import dev.kotune.trainer.dataset.DatasetReader;
import dev.kotune.trainer.domain.Dataset;
import dev.kotune.trainer.domain.DatasetFormat;
import dev.kotune.trainer.domain.EvaluationSpec;
import dev.kotune.trainer.domain.Example;
import dev.kotune.trainer.domain.ExportOptions;
import dev.kotune.trainer.domain.Hyperparameters;
import dev.kotune.trainer.domain.PromptFormat;
import dev.kotune.trainer.domain.TrainingJob;
import dev.kotune.export.GraphFlavour;
import dev.kotune.trainer.run.ExportFlavors;
import dev.kotune.trainer.run.ModelLocator;
import dev.kotune.tokenization.InvalidInputException;
import dev.kotune.tokenization.PromptTemplate;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validates a {@code TrainingJobSubmitted} against the rules written in {@code training_events.proto} and maps it to
 * the domain's {@link TrainingJob} with every default filled in. Every problem is reported, each as the proto field
 * path plus the rule and the value, e.g. {@code spec.hyperparameters.learning_rate: must be in (0, 1], got 5.0}.
 *
 * <p>This is the service's edge: proto types stop here. File datasets are read to count their examples; a base model
 * given as a directory or a built-in name ({@code kotune/tiny-ko}, found through the {@link ModelLocator}) must hold
 * an HF {@code config.json}, whose {@code n_positions} bounds {@code max_length} (hub ids are assumed to be GPT-2
 * sized, {@value #DEFAULT_N_POSITIONS} positions; the runner checks the real config when it loads the model). The
 * evaluation's generation settings are checked against the proto's ranges and then by the engine's own
 * {@code SamplingParams} validation. Stateless and thread-safe.
 */
public final class JobValidator {

    /** Job ids: also directory names and record keys. */
    public static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
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

    private static final Pattern HUB_ID =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
    private static final int MAX_LISTED_EXAMPLE_PROBLEMS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DatasetReader datasetReader;
    private final ModelLocator models;

    /**
     * @param datasetReader reads file datasets
     * @param models        finds built-in models and tokenizers ({@code kotune/...})
     */
    public JobValidator(DatasetReader datasetReader, ModelLocator models) {
        this.datasetReader = datasetReader;
        this.models = models;
    }

    /** Validates {@code submitted} for the job {@code jobId} (the envelope's job_id). */
    public ValidationResult validate(String jobId, TrainingJobSubmitted submitted) {
        Problems problems = new Problems();
        if (!JOB_ID.matcher(jobId).matches()) {
            problems.add("job_id", "must match [A-Za-z0-9._-]{1,64}, got \"" + jobId + "\"");
        }
        if (!submitted.hasSpec()) {
            problems.add("spec", "is required");
            return new ValidationResult.Rejected(problems.errors());
        }
        TrainingJobSpec spec = submitted.getSpec();

        BaseModel base = baseModel(spec.getBaseModel(), problems);
        String tokenizer = tokenizer(spec, models, problems);
        Dataset dataset = dataset(spec, problems);
        List<Example> examples = loadExamples(dataset, problems);
        PromptFormat format = format(spec, base.nPositions(), problems);
        Hyperparameters hp = hyperparameters(spec, problems);
        ExportOptions export = export(spec, problems);
        EvaluationSpec evaluation = evaluation(spec, examples, base.nPositions(), problems);
        Map<String, String> labels = labels(spec, problems);

        if (!problems.isEmpty()) {
            return new ValidationResult.Rejected(problems.errors());
        }
        TrainingJob job = new TrainingJob(jobId, base.name(), tokenizer.isEmpty() ? base.name() : tokenizer, dataset,
                format, hp, export, evaluation, labels);
        return new ValidationResult.Accepted(job, examples.size(), hp.totalSteps(examples.size()));
    }

    private record BaseModel(String name, int nPositions) {
    }

    private BaseModel baseModel(String value, Problems problems) {
        String field = "spec.base_model";
        if (value.isBlank()) {
            problems.add(field, "is required (a hub id like \"skt/kogpt2-base-v2\", an HF-layout directory or a "
                    + "built-in name like \"kotune/tiny-ko\")");
            return new BaseModel(value, DEFAULT_N_POSITIONS);
        }
        if (ModelLocator.isBuiltIn(value)) {
            var dir = models.builtIn(value);
            if (dir.isEmpty()) {
                problems.add(field, models.unknownBuiltIn(value));
                return new BaseModel(value, DEFAULT_N_POSITIONS);
            }
            return new BaseModel(value, nPositions(dir.get(), field, problems).nPositions());
        }
        if (!isPathLike(value)) {
            if (!HUB_ID.matcher(value).matches()) {
                problems.add(field, "must be a hub id (org/name), a built-in name or an existing directory, got \""
                        + value + "\"");
            }
            return new BaseModel(value, DEFAULT_N_POSITIONS);
        }
        Path dir = toPath(value);
        if (dir == null || !dir.isAbsolute()) {
            problems.add(field, "a directory must be an absolute path or a file:// URI, got \"" + value + "\"");
            return new BaseModel(value, DEFAULT_N_POSITIONS);
        }
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config) || !Files.isReadable(config)) {
            problems.add(field, "must be an HF-layout directory with a readable config.json, got \"" + value + "\"");
            return new BaseModel(dir.toString(), DEFAULT_N_POSITIONS);
        }
        return nPositions(dir, field, problems);
    }

    /** The directory's config.json n_positions (n_ctx), reporting an unreadable or shapeless config. */
    private static BaseModel nPositions(Path dir, String field, Problems problems) {
        Path config = dir.resolve("config.json");
        try {
            JsonNode json = JSON.readTree(config.toFile());
            JsonNode n = json.has("n_positions") ? json.get("n_positions") : json.get("n_ctx");
            if (n == null || !n.canConvertToInt() || n.asInt() < 1) {
                problems.add(field, "config.json has no positive n_positions: " + config);
                return new BaseModel(dir.toString(), DEFAULT_N_POSITIONS);
            }
            return new BaseModel(dir.toString(), n.asInt());
        } catch (IOException e) {
            problems.add(field, "config.json is not readable JSON (" + e.getMessage() + "): " + config);
            return new BaseModel(dir.toString(), DEFAULT_N_POSITIONS);
        }
    }

    private static String tokenizer(TrainingJobSpec spec, ModelLocator models, Problems problems) {
        String value = spec.getTokenizer();
        if (ModelLocator.isBuiltIn(value) && models.builtIn(value).isEmpty()) {
            problems.add("spec.tokenizer", models.unknownBuiltIn(value));
            return value;
        }
        if (value.isEmpty() || !isPathLike(value)) {
            if (!value.isEmpty() && !HUB_ID.matcher(value).matches()) {
                problems.add("spec.tokenizer", "must be a hub id (org/name) or an existing path, got \"" + value
                        + "\"");
            }
            return value;
        }
        Path path = toPath(value);
        if (path == null || !path.isAbsolute() || !Files.isReadable(path)) {
            problems.add("spec.tokenizer", "must be a readable tokenizer.json or HF directory given by absolute path "
                    + "or file:// URI, got \"" + value + "\"");
            return value;
        }
        return path.toString();
    }

    private static Dataset dataset(TrainingJobSpec spec, Problems problems) {
        String field = "spec.dataset";
        if (!spec.hasDataset()) {
            problems.add(field, "is required (inline examples or a file uri)");
            return null;
        }
        var d = spec.getDataset();
        if (d.getLimit() < 0) {
            problems.add(field + ".limit", "must be >= 0 (0 = all), got " + d.getLimit());
        }
        int limit = Math.max(d.getLimit(), 0);
        switch (d.getSourceCase()) {
            case INLINE -> {
                var given = d.getInline().getExamplesList();
                if (given.isEmpty() || given.size() > MAX_INLINE_EXAMPLES) {
                    problems.add(field + ".inline.examples", "must hold 1 to " + MAX_INLINE_EXAMPLES
                            + " examples, got " + given.size());
                }
                List<Example> examples = new ArrayList<>(given.size());
                int listed = 0;
                int unlisted = 0;
                for (int i = 0; i < given.size(); i++) {
                    var e = given.get(i);
                    for (String part : new String[] {"prompt", "completion"}) {
                        String text = part.equals("prompt") ? e.getPrompt() : e.getCompletion();
                        if (text.isBlank()) {
                            if (listed < MAX_LISTED_EXAMPLE_PROBLEMS) {
                                problems.add(field + ".inline.examples[" + i + "]." + part, "must not be blank");
                                listed++;
                            } else {
                                unlisted++;
                            }
                        }
                    }
                    examples.add(new Example(e.getPrompt(), e.getCompletion()));
                }
                if (unlisted > 0) {
                    problems.add(field + ".inline.examples", unlisted + " more blank prompts/completions not listed");
                }
                return Dataset.inline(examples, limit);
            }
            case URI -> {
                String uri = d.getUri();
                Path path = toPath(uri);
                DatasetFormat format = switch (d.getFormat()) {
                    case DATASET_FORMAT_JSONL -> DatasetFormat.JSONL;
                    case DATASET_FORMAT_CSV -> DatasetFormat.CSV;
                    default -> null;
                };
                boolean ok = true;
                if (format == null) {
                    problems.add(field + ".format", "is required with uri: DATASET_FORMAT_JSONL or DATASET_FORMAT_CSV, "
                            + "got " + d.getFormat());
                    ok = false;
                }
                if (path == null || !path.isAbsolute()) {
                    problems.add(field + ".uri", "must be an absolute path or a file:// URI, got \"" + uri + "\"");
                    ok = false;
                } else if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                    problems.add(field + ".uri", "must be a readable file, got \"" + uri + "\"");
                    ok = false;
                }
                if (!ok) {
                    return null;
                }
                String promptColumn = d.getPromptColumn().isEmpty() ? "Q" : d.getPromptColumn();
                String completionColumn = d.getCompletionColumn().isEmpty() ? "A" : d.getCompletionColumn();
                return new Dataset(format, List.of(), path.toString(), promptColumn, completionColumn, limit);
            }
            default -> {
                problems.add(field, "needs a source: inline examples or a file uri");
                return null;
            }
        }
    }

    private List<Example> loadExamples(Dataset dataset, Problems problems) {
        if (dataset == null) {
            return List.of();
        }
        String field = dataset.isInline() ? "spec.dataset.inline.examples" : "spec.dataset.uri";
        try {
            DatasetReader.Loaded loaded = datasetReader.read(dataset);
            if (!dataset.isInline()) {
                for (String problem : loaded.problems()) {
                    problems.add(field, problem);
                }
                if (loaded.examples().isEmpty() && loaded.problems().isEmpty()) {
                    problems.add(field, "must hold at least 1 example, the file has none");
                }
            }
            return loaded.examples();
        } catch (IOException e) {
            problems.add(field, "cannot be read as " + dataset.format() + ": " + e.getMessage());
            return List.of();
        }
    }

    private static PromptFormat format(TrainingJobSpec spec, int nPositions, Problems problems) {
        var f = spec.getFormat();
        String template = f.getTemplate().isEmpty() ? PromptFormat.DEFAULT_TEMPLATE : f.getTemplate();
        if (!template.contains("{prompt}")) {
            problems.add("spec.format.template", "must contain {prompt}, got \"" + template + "\"");
        } else {
            try {
                new PromptTemplate(template);
            } catch (InvalidInputException e) {
                problems.add("spec.format.template", "must contain {prompt} and {completion} exactly once each, "
                        + "{completion} after {prompt}, got \"" + template + "\"");
            }
        }
        int maxLength = f.hasMaxLength() ? f.getMaxLength() : 64;
        problems.closed("spec.format.max_length", maxLength, 8, nPositions);
        return new PromptFormat(template, !f.hasAppendEos() || f.getAppendEos(), maxLength, f.getCompletionOnly());
    }

    private static Hyperparameters hyperparameters(TrainingJobSpec spec, Problems problems) {
        var h = spec.getHyperparameters();
        String p = "spec.hyperparameters.";
        int epochs = h.hasNumTrainEpochs() ? h.getNumTrainEpochs() : 20;
        problems.closed(p + "num_train_epochs", epochs, 1, 1000);
        problems.atLeast(p + "max_steps", h.getMaxSteps(), 0);
        int batch = h.hasPerDeviceTrainBatchSize() ? h.getPerDeviceTrainBatchSize() : 4;
        problems.closed(p + "per_device_train_batch_size", batch, 1, 256);
        int accumulation = h.hasGradientAccumulationSteps() ? h.getGradientAccumulationSteps() : 1;
        problems.closed(p + "gradient_accumulation_steps", accumulation, 1, 1024);
        double lr = h.hasLearningRate() ? h.getLearningRate() : 3e-5;
        problems.leftOpen(p + "learning_rate", lr, "0", 0, "1", 1);
        double weightDecay = h.hasWeightDecay() ? h.getWeightDecay() : 0.01;
        problems.closed(p + "weight_decay", weightDecay, "0", 0, "1", 1);
        problems.atLeast(p + "warmup_steps", h.getWarmupSteps(), 0);
        double maxGradNorm = h.hasMaxGradNorm() ? h.getMaxGradNorm() : 1.0;
        problems.positiveFinite(p + "max_grad_norm", maxGradNorm);
        long seed = h.hasSeed() ? h.getSeed() : 42;
        int loggingSteps = h.hasLoggingSteps() ? h.getLoggingSteps() : 10;
        problems.atLeast(p + "logging_steps", loggingSteps, 1);
        problems.atLeast(p + "save_steps", h.getSaveSteps(), 0);
        boolean dropout = !h.hasDropout() || h.getDropout();
        // Out-of-range values are reported above; clamp so the record (never used when rejected) stays well formed.
        return new Hyperparameters(Math.max(epochs, 1), Math.max(h.getMaxSteps(), 0), Math.max(batch, 1),
                Math.max(accumulation, 1), lr, weightDecay, h.getWarmupSteps(), maxGradNorm, seed, loggingSteps,
                h.getSaveSteps(), dropout);
    }

    private static ExportOptions export(TrainingJobSpec spec, Problems problems) {
        var e = spec.getExport();
        // Unset: the exporter's default flavour (its CPU A/B decides), named as the proto names flavours.
        String flavor = e.getGraphFlavor().isEmpty() ? ExportFlavors.toProto(GraphFlavour.DEFAULT)
                : e.getGraphFlavor();
        if (!flavor.equals(ExportOptions.OPTIMIZED) && !flavor.equals(ExportOptions.PLAIN)) {
            problems.add("spec.export.graph_flavor", "must be \"optimized\" or \"plain\", got \"" + flavor + "\"");
        }
        return new ExportOptions(!e.hasOnnx() || e.getOnnx(), flavor);
    }

    private static EvaluationSpec evaluation(TrainingJobSpec spec, List<Example> examples, int nPositions,
            Problems problems) {
        var ev = spec.getEvaluation();
        String p = "spec.evaluation.";
        List<String> prompts = ev.getPromptsList();
        if (prompts.size() > MAX_EVALUATION_PROMPTS) {
            problems.add(p + "prompts", "must hold at most " + MAX_EVALUATION_PROMPTS + " prompts, got "
                    + prompts.size());
        }
        for (int i = 0; i < prompts.size(); i++) {
            if (prompts.get(i).isBlank()) {
                problems.add(p + "prompts[" + i + "]", "must not be blank");
            }
        }
        if (prompts.isEmpty()) {
            prompts = examples.stream().limit(DEFAULT_EVALUATION_PROMPTS).map(Example::prompt).toList();
        }
        SamplingParams generation = ev.hasGeneration()
                ? generation(ev.getGeneration(), nPositions, p + "generation.", problems)
                : SamplingParams.notebook();
        return new EvaluationSpec(prompts, generation);
    }

    /**
     * Generation parameters: the engine's generation contract validates them (every problem, its range), including
     * what the base model's context allows for a one-token prompt; unset fields take the contract's defaults.
     */
    private static SamplingParams generation(GenerationParameters g, int nPositions, String p, Problems problems) {
        try {
            SamplingParams params = GenerationParametersMapping.toBuilder(g).build();
            ModelInfo context = new ModelInfo(0, 0, 0, Integer.MAX_VALUE, nPositions, List.of(), null, true, Map.of());
            params.problemsFor(context, new int[1]).forEach(x -> problems.add(p + x.field(), x.message()));
            return params;
        } catch (InvalidParamsException e) {
            e.problems().forEach(x -> problems.add(p + x.field(), x.message()));
            return SamplingParams.notebook();
        }
    }

    private static Map<String, String> labels(TrainingJobSpec spec, Problems problems) {
        Map<String, String> labels = spec.getLabelsMap();
        if (labels.size() > MAX_LABELS) {
            problems.add("spec.labels", "must hold at most " + MAX_LABELS + " labels, got " + labels.size());
        }
        labels.keySet().stream().filter(String::isBlank).findAny()
                .ifPresent(k -> problems.add("spec.labels", "keys must not be blank"));
        return labels;
    }

    private static boolean isPathLike(String value) {
        return value.startsWith("/") || value.startsWith(".") || value.startsWith("file:") || value.startsWith("~");
    }

    /** A local path from an absolute path or a file: URI; null when it is neither. */
    static Path toPath(String value) {
        try {
            if (value.startsWith("file:")) {
                return Path.of(URI.create(value));
            }
            return value.isEmpty() ? null : Path.of(value);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }
}
