package dev.kotune.cli;

import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.training.v1.Example;
import dev.kotune.proto.training.v1.ModelEvaluated;
import dev.kotune.proto.training.v1.SampleAnswer;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's last step, after the job succeeded: the before/after answers the trainer published
 * ({@code ModelEvaluated}), then the same questions asked of inference-service over REST with model = job id (the
 * service picks the export up from {@code CheckpointExported}), formatted with the job's template and decoded with its
 * evaluation settings (the notebook's sampling). Returns what did not work, for the demo's "Not there yet" list.
 * Not thread-safe: one per demo run, on its thread.
 */
final class BeforeAfterAnswers {
  /** How long the inference service may take to list the job's model after the job succeeded. */
  static final Duration SERVE_TIMEOUT = Duration.ofSeconds(120);

  private static final String DEFAULT_TEMPLATE = "질문: {prompt}\n답변:{completion}";

  private final PrintWriter out;

  BeforeAfterAnswers(PrintWriter out) {
    this.out = out;
  }

  /**
   * Prints the answers of job {@code jobId}.
   *
   * @param submitted the spec as submitted (used when the validated spec is not among the events)
   * @return what is missing, each a line for "Not there yet"; empty when everything answered
   */
  List<String> show(KafkaOptions kafka, String jobId, TrainingJobSpec submitted, URI inference)
      throws InterruptedException {
    List<TrainingEvent> events;
    try (TrainingEvents.Reader reader = new TrainingEvents.Reader(kafka)) {
      reader.seekToBeginning(Duration.ofSeconds(30));
      events = reader.readAll().stream().filter(e -> e.getJobId().equals(jobId)).toList();
    }
    TrainingJobSpec spec = submitted;
    ModelEvaluated evaluated = null;
    TrainingEvent exported = null;
    for (TrainingEvent e : events) {
      if (e.hasJobValidated()) {
        spec = e.getJobValidated().getResolvedSpec();
      } else if (e.hasEvaluated()) {
        evaluated = e.getEvaluated();
      } else if (e.hasCheckpointExported()) {
        exported = e;
      }
    }
    List<String> missing = new ArrayList<>();
    List<String> prompts = new ArrayList<>();
    if (evaluated == null || evaluated.getSamplesCount() == 0) {
      missing.add("before/after answers: the trainer published no ModelEvaluated with samples for " + jobId);
    } else {
      out.printf("      trainer (ModelEvaluated, step %d, eval_loss %.4f):%n", evaluated.getStep(),
          evaluated.getEvalLoss());
      for (SampleAnswer s : evaluated.getSamplesList()) {
        prompts.add(s.getPrompt());
        out.println("        Q: " + s.getPrompt());
        out.println("           before: " + oneLine(s.getAnswerBefore()));
        out.println("           after:  " + oneLine(s.getAnswerAfter()));
      }
    }
    if (prompts.isEmpty()) {
      prompts.addAll(spec.getEvaluation().getPromptsList());
    }
    if (prompts.isEmpty()) {
      spec.getDataset().getInline().getExamplesList().stream().limit(4).map(Example::getPrompt)
          .forEach(prompts::add);
    }
    if (exported == null) {
      missing.add("serving: no CheckpointExported event for " + jobId + ", so there is no export to serve");
      return missing;
    }
    InferenceClient client = new InferenceClient(inference);
    if (!client.awaitModel(jobId, SERVE_TIMEOUT)) {
      missing.add("serving: inference-service did not list model " + jobId + " within " + SERVE_TIMEOUT.toSeconds()
          + " s of CheckpointExported (" + exported.getCheckpointExported().getExportPath()
          + "); see logs/inference-service.log");
      return missing;
    }
    GenerationParameters generation = spec.getEvaluation().hasGeneration() ? spec.getEvaluation().getGeneration()
        : submitted.getEvaluation().getGeneration();
    String template = spec.getFormat().getTemplate().isEmpty() ? DEFAULT_TEMPLATE : spec.getFormat().getTemplate();
    int cut = template.indexOf("{completion}");
    String promptTemplate = cut >= 0 ? template.substring(0, cut) : template;
    out.printf("      inference-service (REST /v1/completions, model %s, prompt %s):%n", jobId,
        oneLine(promptTemplate));
    for (String prompt : prompts) {
      try {
        InferenceClient.Completion c = client.complete(jobId, promptTemplate.replace("{prompt}", prompt),
            generation);
        out.println("        Q: " + prompt);
        out.printf("           served: %s  [%s, %d tokens]%n", oneLine(c.text()), c.finishReason(),
            c.completionTokens());
      } catch (IOException e) {
        out.println("        Q: " + prompt + " -> " + e.getMessage());
        missing.add("serving: " + e.getMessage());
        break;
      }
    }
    return missing;
  }

  private static String oneLine(String s) {
    return s.strip().replace("\n", "\\n");
  }
}
