package dev.kotune.cli;

import dev.kotune.proto.training.v1.JobState;
import dev.kotune.proto.training.v1.TrainingEvent;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kotune jobs}: the jobs known from {@code kotune.training.events}, with their state and last event. */
@Command(
    name = "jobs",
    mixinStandardHelpOptions = true,
    description = "List training jobs and their state from Kafka (topic kotune.training.events).")
final class JobsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  @Mixin KafkaOptions kafka;

  @Option(names = "--job-id", description = "Show every event of this job instead of the summary.")
  String jobId;

  @Option(names = "--follow", description = "With --job-id: keep printing new events until the job ends.")
  boolean follow;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "How long --follow waits (ISO-8601). Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @Override
  public Integer call() {
    try (TrainingEvents.Reader reader = new TrainingEvents.Reader(kafka)) {
      reader.seekToBeginning(Duration.ofSeconds(30));
      List<TrainingEvent> events = reader.readAll();
      if (jobId == null) {
        printSummary(events);
        return 0;
      }
      TrainingEvent last = null;
      for (TrainingEvent e : events) {
        if (e.getJobId().equals(jobId)) {
          out().println(line(e));
          last = e;
        }
      }
      if (follow && (last == null || !TrainingEvents.isTerminal(last))) {
        last = reader.follow(jobId, e -> out().println(line(e)), TrainingEvents::isTerminal, timeout);
      }
      if (last == null) {
        throw new UserException("no events for job " + jobId + " on " + kafka.eventsTopic(), 3);
      }
      return 0;
    }
  }

  private void printSummary(List<TrainingEvent> events) {
    Map<String, JobState> states = new LinkedHashMap<>();
    Map<String, TrainingEvent> lastEvents = new LinkedHashMap<>();
    for (TrainingEvent e : events) {
      JobState next = TrainingEvents.stateAfter(e);
      if (next != JobState.JOB_STATE_UNSPECIFIED) {
        states.put(e.getJobId(), next);
      }
      lastEvents.put(e.getJobId(), e);
    }
    if (lastEvents.isEmpty()) {
      out().println("no jobs yet");
      return;
    }
    out().printf("%-32s %-10s %s%n", "JOB", "STATE", "LAST EVENT");
    lastEvents.forEach((id, e) -> out().printf("%-32s %-10s %s%n", id,
        states.getOrDefault(id, JobState.JOB_STATE_SUBMITTED).name().substring("JOB_STATE_".length()),
        TrainingEvents.describe(e)));
  }

  static String line(TrainingEvent e) {
    return TIME.format(TrainingEvents.instant(e.getOccurredAt())) + "  " + e.getJobId() + "  "
        + TrainingEvents.describe(e);
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
