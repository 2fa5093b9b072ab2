package dev.kotune.trainer.validation;

import dev.kotune.engine.ModelInfo;
import dev.kotune.engine.SamplingParams;
import dev.kotune.tokenization.Example;
import dev.kotune.tokenization.InvalidInputException;
import dev.kotune.tokenization.PromptTemplate;
import dev.kotune.trainer.domain.ExportOptions;
import dev.kotune.trainer.domain.Hyperparameters;
import dev.kotune.trainer.domain.PromptFormat;
import java.util.List;
import java.util.Map;

/**
 * The rules on a job's domain values, as {@code training_events.proto} writes them: each check adds every problem it
 * finds as the proto field path plus the rule and the value, e.g.
 * {@code spec.hyperparameters.learning_rate: must be in (0, 1], got 5.0}. Pure: no file access, no proto types.
 * Generation settings are the engine's contract ({@link SamplingParams}); only what the base model's context allows
 * is checked here. Stateless and thread-safe.
 */
final class JobRules {

    private static final int MAX_LISTED_EXAMPLE_PROBLEMS = 10;

    private JobRules() {}

    static void jobId(String jobId, Problems problems) {
        if (!JobValidator.JOB_ID.matcher(jobId).matches()) {
            problems.add("job_id", "must match [A-Za-z0-9._-]{1,64}, got \"" + jobId + "\"");
        }
    }

    static void datasetLimit(int limit, Problems problems) {
        if (limit < 0) {
            problems.add("spec.dataset.limit", "must be >= 0 (0 = all), got " + limit);
        }
    }

    /** The inline examples: their count, and blank prompts/completions (the first ten listed). */
    static void inlineExamples(List<Example> examples, Problems problems) {
        String field = "spec.dataset.inline.examples";
        if (examples.isEmpty() || examples.size() > JobValidator.MAX_INLINE_EXAMPLES) {
            problems.add(
                    field, "must hold 1 to " + JobValidator.MAX_INLINE_EXAMPLES + " examples, got " + examples.size());
        }
        int listed = 0;
        int unlisted = 0;
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            for (String part : new String[] {"prompt", "completion"}) {
                String text = part.equals("prompt") ? e.prompt() : e.completion();
                if (text.isBlank()) {
                    if (listed < MAX_LISTED_EXAMPLE_PROBLEMS) {
                        problems.add(field + "[" + i + "]." + part, "must not be blank");
                        listed++;
                    } else {
                        unlisted++;
                    }
                }
            }
        }
        if (unlisted > 0) {
            problems.add(field, unlisted + " more blank prompts/completions not listed");
        }
    }

    /** The template's placeholders and max_length within the base model's context. */
    static void format(PromptFormat format, int nPositions, Problems problems) {
        String template = format.template();
        if (!template.contains("{prompt}")) {
            problems.add("spec.format.template", "must contain {prompt}, got \"" + template + "\"");
        } else {
            try {
                new PromptTemplate(template);
            } catch (InvalidInputException e) {
                problems.add(
                        "spec.format.template",
                        "must contain {prompt} and {completion} exactly once each, "
                                + "{completion} after {prompt}, got \"" + template + "\"");
            }
        }
        problems.closed("spec.format.max_length", format.maxLength(), 8, nPositions);
    }

    static void hyperparameters(Hyperparameters h, Problems problems) {
        String p = "spec.hyperparameters.";
        problems.closed(p + "num_train_epochs", h.numTrainEpochs(), 1, 1000);
        problems.atLeast(p + "max_steps", h.maxSteps(), 0);
        problems.closed(p + "per_device_train_batch_size", h.perDeviceTrainBatchSize(), 1, 256);
        problems.closed(p + "gradient_accumulation_steps", h.gradientAccumulationSteps(), 1, 1024);
        problems.leftOpen(p + "learning_rate", h.learningRate(), "0", 0, "1", 1);
        problems.closed(p + "weight_decay", h.weightDecay(), "0", 0, "1", 1);
        problems.atLeast(p + "warmup_steps", h.warmupSteps(), 0);
        problems.positiveFinite(p + "max_grad_norm", h.maxGradNorm());
        problems.atLeast(p + "logging_steps", h.loggingSteps(), 1);
        problems.atLeast(p + "save_steps", h.saveSteps(), 0);
    }

    static void export(ExportOptions export, Problems problems) {
        String flavor = export.graphFlavor();
        if (!flavor.equals(ExportOptions.OPTIMIZED)
                && !flavor.equals(ExportOptions.PLAIN)
                && !flavor.equals(ExportOptions.INT8)) {
            problems.add(
                    "spec.export.graph_flavor", "must be \"optimized\", \"plain\" or \"int8\", got \"" + flavor + "\"");
        }
    }

    /** The evaluation prompts the job gave (not the defaults taken from the examples). */
    static void evaluationPrompts(List<String> prompts, Problems problems) {
        String p = "spec.evaluation.";
        if (prompts.size() > JobValidator.MAX_EVALUATION_PROMPTS) {
            problems.add(
                    p + "prompts",
                    "must hold at most " + JobValidator.MAX_EVALUATION_PROMPTS + " prompts, got " + prompts.size());
        }
        for (int i = 0; i < prompts.size(); i++) {
            if (prompts.get(i).isBlank()) {
                problems.add(p + "prompts[" + i + "]", "must not be blank");
            }
        }
    }

    /** What the base model's context allows the generation settings, for a one-token prompt. */
    static void generationContext(SamplingParams params, int nPositions, String prefix, Problems problems) {
        ModelInfo context = ModelInfo.limits(Integer.MAX_VALUE, nPositions); // vocab unknown here
        params.problemsFor(context, new int[1]).forEach(x -> problems.add(prefix + x.field(), x.message()));
    }

    static void labels(Map<String, String> labels, Problems problems) {
        if (labels.size() > JobValidator.MAX_LABELS) {
            problems.add(
                    "spec.labels", "must hold at most " + JobValidator.MAX_LABELS + " labels, got " + labels.size());
        }
        labels.keySet().stream()
                .filter(String::isBlank)
                .findAny()
                .ifPresent(k -> problems.add("spec.labels", "keys must not be blank"));
    }
}
