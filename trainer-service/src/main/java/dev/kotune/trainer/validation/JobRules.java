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
 * finds as (proto field path, value, allowed), printed e.g.
 * {@code spec.hyperparameters.learning_rate: must be in (0, 1], got 5.0}. Pure: no file access, no proto types.
 * Generation settings are the engine's contract ({@link SamplingParams}); only what the base model's context allows
 * is checked here. Stateless and thread-safe.
 */
final class JobRules {

    private static final int MAX_LISTED_EXAMPLE_PROBLEMS = 10;

    private JobRules() {}

    /** The job id: also a directory name and the record key ({@link JobValidator#JOB_ID}). */
    static void jobId(String jobId, Problems problems) {
        if (!JobValidator.JOB_ID.matcher(jobId).matches()) {
            problems.add("job_id", jobId, "must match " + JobValidator.JOB_ID.pattern());
        }
    }

    static void datasetLimit(int limit, Problems problems) {
        if (limit < 0) {
            problems.add("spec.dataset.limit", limit, "must be >= 0 (0 = all)");
        }
    }

    /** The inline examples: their count, and blank prompts/completions (the first ten listed). */
    static void inlineExamples(List<Example> examples, Problems problems) {
        String field = "spec.dataset.inline.examples";
        if (examples.isEmpty() || examples.size() > JobValidator.MAX_INLINE_EXAMPLES) {
            problems.add(field, examples.size(), "must hold 1 to " + JobValidator.MAX_INLINE_EXAMPLES + " examples");
        }
        int listed = 0;
        int unlisted = 0;
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            for (String part : new String[] {"prompt", "completion"}) {
                String text = part.equals("prompt") ? e.prompt() : e.completion();
                if (text.isBlank()) {
                    if (listed < MAX_LISTED_EXAMPLE_PROBLEMS) {
                        problems.add(field + "[" + i + "]." + part, text, "must not be blank");
                        listed++;
                    } else {
                        unlisted++;
                    }
                }
            }
        }
        if (unlisted > 0) {
            problems.add(field, unlisted, "must have no blank prompt or completion (blank ones beyond those listed)");
        }
    }

    /** The template's placeholders and max_length within the base model's context. */
    static void format(PromptFormat format, int nPositions, Problems problems) {
        String template = format.template();
        if (!template.contains("{prompt}")) {
            problems.add("spec.format.template", template, "must contain {prompt}");
        } else {
            try {
                new PromptTemplate(template);
            } catch (InvalidInputException e) {
                problems.add(
                        "spec.format.template",
                        template,
                        "must contain {prompt} and {completion} exactly once each, {completion} after {prompt}");
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
            problems.add("spec.export.graph_flavor", flavor, "must be \"optimized\", \"plain\" or \"int8\"");
        }
    }

    /** The evaluation prompts the job gave (not the defaults taken from the examples). */
    static void evaluationPrompts(List<String> prompts, Problems problems) {
        String p = "spec.evaluation.";
        if (prompts.size() > JobValidator.MAX_EVALUATION_PROMPTS) {
            problems.add(
                    p + "prompts",
                    prompts.size(),
                    "must hold at most " + JobValidator.MAX_EVALUATION_PROMPTS + " prompts");
        }
        for (int i = 0; i < prompts.size(); i++) {
            if (prompts.get(i).isBlank()) {
                problems.add(p + "prompts[" + i + "]", prompts.get(i), "must not be blank");
            }
        }
    }

    /** What the base model's context allows the generation settings, for a one-token prompt. */
    static void generationContext(SamplingParams params, int nPositions, String prefix, Problems problems) {
        ModelInfo context = ModelInfo.limits(Integer.MAX_VALUE, nPositions); // vocab unknown here
        params.problemsFor(context, new int[1]).forEach(x -> problems.engine(prefix, x));
    }

    static void labels(Map<String, String> labels, Problems problems) {
        if (labels.size() > JobValidator.MAX_LABELS) {
            problems.add("spec.labels", labels.size(), "must hold at most " + JobValidator.MAX_LABELS + " labels");
        }
        labels.keySet().stream()
                .filter(String::isBlank)
                .findAny()
                .ifPresent(k -> problems.add("spec.labels[\"" + k + "\"]", k, "keys must not be blank"));
    }
}
