package dev.kotune.cli;

import dev.kotune.broker.KafkaBroker;
import dev.kotune.proto.training.v1.TrainingEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/**
 * {@code kotune demo}: the main job, offline, on the built-in default. It runs the whole path the notebook ran, as
 * services: a real Kafka broker, the three services from their jars, the notebook's job submitted over Kafka, its
 * lifecycle events followed to the end. Stages that have not landed yet are named in the output, never faked.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "The main job, offline: Kafka + services, the notebook's job over Kafka, answers before/after.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** The project's own Korean BPE tokenizer (the real KoGPT2 one is licensed for tests only). */
  private static final String BUILT_IN_TOKENIZER = "models/kotune-ko-bpe-8k/tokenizer.json";

  private static final List<String> SERVICES = List.of("tokenizer-service", "trainer-service", "inference-service");

  @Option(names = "--home", description = "Working directory (KOTUNE_HOME) for jobs, checkpoints and logs. Default: .kotune/demo-<time>.")
  Path home;

  @Option(names = "--base-model", defaultValue = NotebookJob.BUILT_IN_BASE_MODEL,
      description = "Base model of the job. Default: ${DEFAULT-VALUE} (ships with the repository).")
  String baseModel;

  @Option(names = "--timeout", defaultValue = "PT20M", description = "How long to wait for the job (ISO-8601). Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    Path root = Path.of(System.getProperty("kotune.root", ".")).toAbsolutePath().normalize();
    Path workDir = home != null ? home : root.resolve(".kotune").resolve(
        "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Files.createDirectories(workDir);
    Path logs = workDir.resolve("logs");
    List<String> missing = new ArrayList<>();
    step(1, "Kafka: starting a single-node KRaft broker from the Apache Kafka jars");
    try (KafkaBroker broker = KafkaBroker.builder().dataDir(workDir.resolve("kafka")).build().start()) {
      out().printf("      ready in %.1f s at %s%n", broker.startupDuration().toMillis() / 1000.0,
          broker.bootstrapServers());
      step(2, "services: starting " + String.join(", ", SERVICES) + " from their jars");
      Map<String, ServiceProcess> services = new LinkedHashMap<>();
      try {
        for (String module : SERVICES) {
          services.put(module, ServiceProcess.start(root, module, serviceConfig(root, broker, workDir), logs));
        }
        for (Map.Entry<String, ServiceProcess> s : services.entrySet()) {
          s.getValue().awaitReady(Duration.ofSeconds(90));
          out().printf("      %-18s ready on http://127.0.0.1:%d (health, metrics; log %s)%n", s.getKey(),
              s.getValue().httpPort(), root.relativize(s.getValue().log().toAbsolutePath()));
        }
        KafkaOptions kafka = KafkaOptions.of(broker.bootstrapServers());
        String jobId = "notebook-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
        step(3, "job: submitting the notebook's job " + jobId + " (4 examples, batch 4, 20 epochs, lr 3e-5) to "
            + kafka.jobsTopic());
        TrainingEvent last;
        try (TrainingEvents.Reader reader = new TrainingEvents.Reader(kafka)) {
          TrainingEvents.submit(kafka, jobId, NotebookJob.spec(baseModel), Duration.ofSeconds(30));
          step(4, "events: following " + kafka.eventsTopic());
          reader.seekToBeginning(Duration.ofSeconds(60));
          last = reader.follow(jobId, e -> out().println("      " + JobsCommand.line(e)),
              TrainingEvents::isTerminal, timeout);
        }
        step(5, "answers: before/after fine-tuning");
        if (last.hasFailed() && "NOT_IMPLEMENTED".equals(last.getFailed().getErrorType())) {
          missing.add("training (issue 4: GPT-2 on DJL) — the trainer validated the job and said so: "
              + last.getFailed().getReason());
          missing.add("serving the fine-tuned model: inference-service serves CheckpointExported exports, and"
              + " without training there is none");
        } else if (!last.hasSucceeded()) {
          out().println("      the job did not succeed: " + TrainingEvents.describe(last));
          return 1;
        } else {
          // The trainer's before/after answers, then the same questions to inference-service (model = job id).
          missing.addAll(new BeforeAfterAnswers(out()).show(kafka, jobId, NotebookJob.spec(baseModel),
              java.net.URI.create("http://127.0.0.1:" + services.get("inference-service").httpPort())));
        }
      } finally {
        services.values().forEach(ServiceProcess::close);
      }
    }
    out().println();
    out().println("What ran: Kafka (real broker), " + String.join(", ", SERVICES)
        + " (started, healthy), the job over Kafka with its lifecycle events.");
    out().println("Not there yet:");
    missing.forEach(m -> out().println("  - " + m));
    out().println("Logs and state: " + workDir);
    return 0;
  }

  /**
   * What every service is started with: this run's broker and home, a free gRPC port, and the repository's built-in
   * assets (tokenizer and base models under {@code models/}), so nothing is fetched from a hub.
   */
  private static Map<String, String> serviceConfig(Path root, KafkaBroker broker, Path workDir)
      throws java.io.IOException {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("kafka.bootstrap.servers", broker.bootstrapServers());
    config.put("kotune.home", workDir.toString());
    config.put("quarkus.grpc.server.port", Integer.toString(ServiceProcess.freePort()));
    config.put("kotune.tokenizer.default-tokenizer", root.resolve(BUILT_IN_TOKENIZER).toString());
    config.put("kotune.trainer.builtin-models-dir", root.resolve("models").toString());
    return config;
  }

  private void step(int n, String what) {
    out().printf("[%d/5] %s%n", n, what);
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
