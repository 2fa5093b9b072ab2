package dev.kotune.cli;

import dev.kotune.proto.training.v1.JobIds;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kotune submit}: writes a training job to {@code kotune.training.jobs} and optionally follows it. */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        description = "Submit a training job to Kafka (topic kotune.training.jobs) and optionally follow its events.")
final class SubmitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(
                names = "--job",
                paramLabel = "FILE",
                description =
                        "A TrainingJobSpec as protobuf JSON, or as YAML (.yaml/.yml; e.g. examples/notebook-job.yaml).")
        Path jobFile;

        @Option(names = "--notebook", description = "The notebook's built-in job (four examples, its settings).")
        boolean notebook;
    }

    @Option(
            names = "--base-model",
            defaultValue = NotebookJob.BUILT_IN_BASE_MODEL,
            description =
                    "Base model for --notebook: a hub id, an HF directory or a built-in name. Default: ${DEFAULT-VALUE}.")
    String baseModel;

    @Option(
            names = "--job-id",
            description = "Job id, " + JobIds.RULE + " (as trainer-service checks it). Default: job-<timestamp>.")
    String jobId;

    @Option(names = "--follow", description = "Print the job's events until it ends; exit 0 only if it succeeded.")
    boolean follow;

    @Option(
            names = "--timeout",
            defaultValue = "PT30M",
            description = "How long --follow waits (ISO-8601). Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Override
    public Integer call() {
        String id = jobId != null
                ? jobId
                : "job-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        if (!JobIds.isValid(id)) {
            throw new UserException("--job-id must match " + JobIds.RULE + ", got '" + id + "'", 2);
        }
        TrainingJobSpec spec = source.notebook ? NotebookJob.spec(baseModel) : JobFile.read(source.jobFile);
        try (TrainingEvents.Reader reader = follow ? new TrainingEvents.Reader(kafka) : null) {
            TrainingEvents.submit(kafka, id, spec, Duration.ofSeconds(30));
            out().println("submitted " + id + " to " + kafka.jobsTopic() + " at " + kafka.bootstrapServers());
            if (!follow) {
                return 0;
            }
            reader.seekToBeginning(Duration.ofSeconds(60));
            TrainingEvent last =
                    reader.follow(id, e -> out().println(JobsCommand.line(e)), TrainingEvents::isTerminal, timeout);
            return last.hasSucceeded() ? 0 : 1;
        }
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
