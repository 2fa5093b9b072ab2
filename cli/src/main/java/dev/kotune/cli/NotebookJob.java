package dev.kotune.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.kotune.proto.training.v1.Dataset;
import dev.kotune.proto.training.v1.EvaluationSpec;
import dev.kotune.proto.training.v1.Example;
import dev.kotune.proto.training.v1.Hyperparameters;
import dev.kotune.proto.training.v1.InlineExamples;
import dev.kotune.proto.training.v1.PromptFormat;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import dev.kotune.proto.inference.v1.GenerationParameters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The notebook this suite replaces, as a job: its four examples (the single source is
 * {@code conformance/data/notebook_examples.json}, copied into the jar at build time) with its settings
 * (batch 4, 20 epochs, lr 3e-5, weight decay 0.01, max_length 64, logging every 10 steps) and its sampling
 * settings for the before/after answers (temperature 0.3, top_p 0.9, repetition_penalty 1.2,
 * no_repeat_ngram_size 2, max_length 64).
 */
final class NotebookJob {
  /** The built-in base model: models/kotune-tiny-ko, a small GPT-2 on the built-in tokenizer, pre-trained by kotune on ChatbotData. */
  static final String BUILT_IN_BASE_MODEL = "kotune/tiny-ko";

  private NotebookJob() {}

  static TrainingJobSpec spec(String baseModel) {
    InlineExamples.Builder examples = InlineExamples.newBuilder();
    for (Example example : examples()) {
      examples.addExamples(example);
    }
    return TrainingJobSpec.newBuilder()
        .setBaseModel(baseModel)
        .setDataset(Dataset.newBuilder().setInline(examples))
        .setFormat(PromptFormat.newBuilder()
            .setTemplate("질문: {prompt}\n답변:{completion}")
            .setAppendEos(true)
            .setMaxLength(64))
        .setHyperparameters(Hyperparameters.newBuilder()
            .setNumTrainEpochs(20)
            .setPerDeviceTrainBatchSize(4)
            .setLearningRate(3e-5)
            .setWeightDecay(0.01)
            .setLoggingSteps(10)
            .setSeed(42))
        .setEvaluation(EvaluationSpec.newBuilder()
            .setGeneration(GenerationParameters.newBuilder()
                .setDoSample(true)
                .setTemperature(0.3f)
                .setTopP(0.9f)
                .setRepetitionPenalty(1.2f)
                .setNoRepeatNgramSize(2)
                .setMaxLength(64)
                .setSeed(42)))
        .putLabels("source", "notebook")
        .build();
  }

  /** The notebook's four {prompt, completion} pairs. */
  static java.util.List<Example> examples() {
    try (InputStream in = NotebookJob.class.getResourceAsStream("/notebook_examples.json")) {
      if (in == null) {
        throw new IllegalStateException("notebook_examples.json is missing from the CLI jar (see cli/pom.xml)");
      }
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      InlineExamples.Builder builder = InlineExamples.newBuilder();
      JsonFormat.parser().merge("{\"examples\":" + json + "}", builder);
      return builder.getExamplesList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read notebook_examples.json", e);
    }
  }

  /** Reads a job spec written in protobuf's canonical JSON (field names as in the .proto or lowerCamelCase). */
  static TrainingJobSpec fromJsonFile(Path file) {
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserException("cannot read job file " + file + ": " + e.getMessage());
    }
    TrainingJobSpec.Builder spec = TrainingJobSpec.newBuilder();
    try {
      JsonFormat.parser().merge(json, spec);
    } catch (InvalidProtocolBufferException e) {
      throw new UserException("job file " + file + " is not a valid TrainingJobSpec (kotune.training.v1): "
          + e.getMessage());
    }
    return spec.build();
  }
}
