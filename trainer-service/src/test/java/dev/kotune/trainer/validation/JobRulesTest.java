package dev.kotune.trainer.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.kotune.engine.SamplingParams;
import dev.kotune.tokenization.Example;
import dev.kotune.trainer.domain.ExportOptions;
import dev.kotune.trainer.domain.Hyperparameters;
import dev.kotune.trainer.domain.PromptFormat;
import dev.kotune.trainer.domain.ValidationError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every rule of {@link JobRules} with a failing and a passing case; problems as (field, value, allowed). */
class JobRulesTest {

    private static List<ValidationError> check(Consumer<Problems> rule) {
        Problems problems = new Problems();
        rule.accept(problems);
        return problems.errors();
    }

    private static Hyperparameters hp() {
        return new Hyperparameters(20, 0, 4, 1, 3e-5, 0.01, 0, 1.0, 42, 10, 0, true);
    }

    @Test
    void jobIdAcceptsWhatTheCliGeneratesAndRefusesDotsSlashesAndLength() {
        for (String ok : List.of("notebook-031502", "job-20261207-043800", "a", "x".repeat(128), "run_1.2-b")) {
            assertThat(check(p -> JobRules.jobId(ok, p))).as(ok).isEmpty();
        }
        for (String bad : List.of("", ".", "..", "../x", "a/b", "-x", ".hidden", "a b", "x".repeat(129))) {
            assertThat(check(p -> JobRules.jobId(bad, p)))
                    .as(bad)
                    .extracting(ValidationError::field, ValidationError::allowed)
                    .containsExactly(tuple("job_id", "must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}"));
        }
        assertThat(check(p -> JobRules.jobId("..", p)).get(0).value()).isEqualTo("\"..\"");
    }

    @Test
    void theJobIdCheckAloneIsTheValidatorsRule() {
        assertThat(JobValidator.jobIdProblems("notebook-031502")).isEmpty();
        assertThat(JobValidator.jobIdProblems("../x"))
                .containsExactly(
                        new ValidationError("job_id", "\"../x\"", "must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}"));
    }

    @Test
    void datasetLimit() {
        assertThat(check(p -> JobRules.datasetLimit(0, p))).isEmpty();
        assertThat(check(p -> JobRules.datasetLimit(-1, p)))
                .containsExactly(new ValidationError("spec.dataset.limit", "-1", "must be >= 0 (0 = all)"));
    }

    @Test
    void inlineExamplesCountAndBlankOnes() {
        assertThat(check(p -> JobRules.inlineExamples(List.of(new Example("q", " a")), p)))
                .isEmpty();
        assertThat(check(p -> JobRules.inlineExamples(List.of(), p)))
                .containsExactly(
                        new ValidationError("spec.dataset.inline.examples", "0", "must hold 1 to 10000 examples"));
        assertThat(check(p -> JobRules.inlineExamples(Collections.nCopies(10_001, new Example("q", " a")), p)))
                .extracting(ValidationError::value)
                .containsExactly("10001");
        assertThat(check(p -> JobRules.inlineExamples(List.of(new Example("q", " a"), new Example(" ", " a")), p)))
                .containsExactly(
                        new ValidationError("spec.dataset.inline.examples[1].prompt", "\" \"", "must not be blank"));
    }

    @Test
    void blankExamplesBeyondTenAreCounted() {
        List<ValidationError> errors =
                check(p -> JobRules.inlineExamples(Collections.nCopies(12, new Example("", "")), p));
        assertThat(errors).hasSize(11);
        assertThat(errors.get(10).field()).isEqualTo("spec.dataset.inline.examples");
        assertThat(errors.get(10).value()).isEqualTo("14");
    }

    @Test
    void templateAndMaxLength() {
        assertThat(check(p ->
                        JobRules.format(new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, true, 64, false), 1024, p)))
                .isEmpty();
        assertThat(check(p -> JobRules.format(new PromptFormat("Q: {question}", true, 64, false), 1024, p)))
                .containsExactly(
                        new ValidationError("spec.format.template", "\"Q: {question}\"", "must contain {prompt}"));
        assertThat(check(p -> JobRules.format(new PromptFormat("{completion} {prompt}", true, 64, false), 1024, p)))
                .extracting(ValidationError::field)
                .containsExactly("spec.format.template");
        assertThat(check(p -> JobRules.format(new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, true, 8, false), 8, p)))
                .isEmpty();
        assertThat(check(
                        p -> JobRules.format(new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, true, 7, false), 1024, p)))
                .containsExactly(new ValidationError("spec.format.max_length", "7", "must be in [8, 1024]"));
        assertThat(check(p -> JobRules.format(new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, true, 65, false), 64, p)))
                .containsExactly(new ValidationError("spec.format.max_length", "65", "must be in [8, 64]"));
    }

    @Test
    void hyperparametersEachRangeFailsAndTheDefaultsPass() {
        assertThat(check(p -> JobRules.hyperparameters(hp(), p))).isEmpty();
        var bad = new Hyperparameters(0, -1, 257, 1025, 5.0, 1.5, -3, 0.0, 42, 0, -1, true);
        assertThat(check(p -> JobRules.hyperparameters(bad, p)))
                .extracting(ValidationError::toString)
                .containsExactly(
                        "spec.hyperparameters.num_train_epochs: must be in [1, 1000], got 0",
                        "spec.hyperparameters.max_steps: must be >= 0, got -1",
                        "spec.hyperparameters.per_device_train_batch_size: must be in [1, 256], got 257",
                        "spec.hyperparameters.gradient_accumulation_steps: must be in [1, 1024], got 1025",
                        "spec.hyperparameters.learning_rate: must be in (0, 1], got 5.0",
                        "spec.hyperparameters.weight_decay: must be in [0, 1], got 1.5",
                        "spec.hyperparameters.warmup_steps: must be >= 0, got -3",
                        "spec.hyperparameters.max_grad_norm: must be > 0 and finite, got 0.0",
                        "spec.hyperparameters.logging_steps: must be >= 1, got 0",
                        "spec.hyperparameters.save_steps: must be >= 0, got -1");
        var nan =
                new Hyperparameters(20, 0, 4, 1, Double.NaN, Double.NaN, 0, Double.POSITIVE_INFINITY, 42, 10, 0, true);
        assertThat(check(p -> JobRules.hyperparameters(nan, p)))
                .extracting(ValidationError::value)
                .containsExactly("NaN", "NaN", "Infinity");
    }

    @Test
    void exportFlavor() {
        assertThat(check(p -> JobRules.export(new ExportOptions(true, ExportOptions.PLAIN), p)))
                .isEmpty();
        assertThat(check(p -> JobRules.export(new ExportOptions(true, ExportOptions.OPTIMIZED), p)))
                .isEmpty();
        assertThat(check(p -> JobRules.export(new ExportOptions(true, ExportOptions.INT8), p)))
                .isEmpty();
        assertThat(check(p -> JobRules.export(new ExportOptions(true, "fast"), p)))
                .containsExactly(new ValidationError(
                        "spec.export.graph_flavor", "\"fast\"", "must be \"optimized\", \"plain\" or \"int8\""));
    }

    @Test
    void evaluationPrompts() {
        assertThat(check(p -> JobRules.evaluationPrompts(List.of("안녕?"), p))).isEmpty();
        assertThat(check(p -> JobRules.evaluationPrompts(Collections.nCopies(17, "q"), p)))
                .containsExactly(new ValidationError("spec.evaluation.prompts", "17", "must hold at most 16 prompts"));
        assertThat(check(p -> JobRules.evaluationPrompts(List.of("q", ""), p)))
                .containsExactly(new ValidationError("spec.evaluation.prompts[1]", "\"\"", "must not be blank"));
    }

    @Test
    void generationFitsTheBaseModelsContext() {
        String prefix = "spec.evaluation.generation.";
        assertThat(check(p -> JobRules.generationContext(SamplingParams.notebook(), 1024, prefix, p)))
                .isEmpty();
        List<ValidationError> errors = check(p -> JobRules.generationContext(SamplingParams.notebook(), 32, prefix, p));
        assertThat(errors).extracting(ValidationError::field).containsExactly(prefix + "max_length");
        assertThat(errors.get(0).value()).isEqualTo("64");
        assertThat(errors.get(0).allowed()).startsWith("must be ");
    }

    @Test
    void labels() {
        assertThat(check(p -> JobRules.labels(Map.of("source", "notebook"), p))).isEmpty();
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 33; i++) {
            many.put("k" + i, "v");
        }
        assertThat(check(p -> JobRules.labels(many, p)))
                .containsExactly(new ValidationError("spec.labels", "33", "must hold at most 32 labels"));
        assertThat(check(p -> JobRules.labels(Map.of(" ", "v"), p)))
                .extracting(ValidationError::allowed)
                .containsExactly("keys must not be blank");
    }

    @Test
    void everyProblemHasAFieldAndAnAllowedPartAndPrintsAsFieldColonMessage() {
        List<ValidationError> all = new ArrayList<>();
        all.addAll(check(p -> JobRules.jobId("..", p)));
        all.addAll(check(p -> JobRules.hyperparameters(new Hyperparameters(0, 0, 4, 1, 2, 0, 0, 1, 1, 1, 0, true), p)));
        assertThat(all).allSatisfy(e -> {
            assertThat(e.field()).isNotBlank();
            assertThat(e.allowed()).startsWith("must");
            assertThat(e.toString()).isEqualTo(e.field() + ": " + e.allowed() + ", got " + e.value());
        });
    }
}
