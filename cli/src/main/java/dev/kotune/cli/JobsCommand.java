package dev.kotune.cli;

import dev.kotune.proto.training.v1.TrainingEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kotune jobs}: the jobs known from the training topics. {@code jobs list} (also plain {@code jobs}) replays
 * {@code kotune.training.jobs} (submissions, cancel requests) and {@code kotune.training.events} (the trainer's facts)
 * into one line per job; {@code jobs watch ID} follows one job with a progress bar until it ends;
 * {@code jobs cancel ID} asks the trainer to stop it. {@code jobs --job-id ID [--follow]} (every event of one job) is
 * kept for scripts and deprecated.
 */
@Command(
        name = "jobs",
        mixinStandardHelpOptions = true,
        description = {
            "Training jobs from Kafka (topics kotune.training.jobs and kotune.training.events).",
            "Without a command: the same table as `jobs list`."
        },
        subcommands = {JobsCommand.ListJobs.class, JobsCommand.Watch.class, JobsCommand.Cancel.class})
final class JobsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--job-id", description = "Deprecated (use `jobs watch ID`): print every event of this job.")
    String jobId;

    @Option(names = "--follow", description = "Deprecated: with --job-id, keep printing new events until the job ends.")
    boolean follow;

    @Option(
            names = "--timeout",
            defaultValue = "PT30M",
            description = "How long --follow waits (ISO-8601). Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Override
    public Integer call() {
        if (jobId == null) {
            printTable(replay(kafka), spec.commandLine().getOut());
            return 0;
        }
        spec.commandLine()
                .getErr()
                .println("kotune jobs: --job-id is deprecated; use `kotune jobs watch " + jobId
                        + "` (a progress bar until the job ends) or `kotune jobs list`.");
        try (TrainingEvents.Reader reader = new TrainingEvents.Reader(kafka)) {
            reader.seekToBeginning(Duration.ofSeconds(30));
            List<TrainingEvent> events = reader.readAll();
            TrainingEvent last = null;
            for (TrainingEvent e : events) {
                if (e.getJobId().equals(jobId)) {
                    out().println(line(e));
                    if (!TrainingEvents.isDuplicateRejection(e)) {
                        last = e;
                    }
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

    /** {@code kotune jobs list}. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "One line per job: id, state, step/total, loss, base model, age, last event.")
    static final class ListJobs implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() {
            printTable(replay(kafka), spec.commandLine().getOut());
            return 0;
        }
    }

    /** {@code kotune jobs watch ID}. */
    @Command(
            name = "watch",
            mixinStandardHelpOptions = true,
            description = {
                "Follow a job until it ends: a progress bar (step/total, loss, ETA) and its other events.",
                "Exit 0 when it succeeded, 1 when it was rejected, failed or cancelled (the reason on stderr),",
                "3 for an unknown job or when --timeout passes first."
            })
    static final class Watch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Parameters(paramLabel = "ID", description = "The job id.")
        String jobId;

        @Option(
                names = "--timeout",
                defaultValue = "PT30M",
                description = "How long to wait for the end (ISO-8601). Default: ${DEFAULT-VALUE}.")
        Duration timeout;

        @Option(
                names = "--plain",
                description = "One line per progress event even on a terminal (default off a terminal).")
        boolean plain;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ProgressBar bar = new ProgressBar(out, !plain && System.console() != null);
            List<TrainingEvent> commands = readTopic(kafka, kafka.jobsTopic());
            try (TrainingEvents.Reader reader = new TrainingEvents.Reader(kafka)) {
                boolean hasEvents = reader.seekToBeginningIfExists(Duration.ofSeconds(10));
                List<TrainingEvent> events = hasEvents ? reader.readAll() : List.of();
                JobSummary job = JobSummary.replay(commands, events).get(jobId);
                if (job == null) {
                    throw unknown(kafka, jobId);
                }
                TrainingEvent last = null;
                for (TrainingEvent e : events) {
                    if (e.getJobId().equals(jobId)) {
                        bar.accept(e);
                        if (!TrainingEvents.isDuplicateRejection(e)) {
                            last = e;
                        }
                    }
                }
                try {
                    if (last == null || !TrainingEvents.isTerminal(last)) {
                        if (!hasEvents) {
                            reader.seekToBeginning(timeout);
                        }
                        last = reader.follow(jobId, bar::accept, TrainingEvents::isTerminal, timeout);
                    }
                } finally {
                    bar.finish();
                }
                if (last.hasSucceeded()) {
                    return 0;
                }
                spec.commandLine()
                        .getErr()
                        .println("kotune jobs watch: job " + jobId + " " + TrainingEvents.describe(last));
                return 1;
            }
        }
    }

    /** {@code kotune jobs cancel ID}. */
    @Command(
            name = "cancel",
            mixinStandardHelpOptions = true,
            description = {
                "Ask the trainer to stop a job at its next step: TrainingJobCancelRequested on the jobs topic, key = job id.",
                "Then wait for its TrainingCancelled (unless --no-wait). Exit 0 when cancelled (or requested, with --no-wait);",
                "1 for a job that already ended; 3 for an unknown job or when no answer comes within --wait."
            })
    static final class Cancel implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Parameters(paramLabel = "ID", description = "The job id.")
        String jobId;

        @Option(
                names = "--reason",
                defaultValue = "cancelled from the command line",
                description = "Why (copied into TrainingCancelled). Default: ${DEFAULT-VALUE}.")
        String reason;

        @Option(names = "--no-wait", description = "Return once the request is written; do not wait for the trainer.")
        boolean noWait;

        @Option(
                names = "--wait",
                defaultValue = "PT30S",
                description = "How long to wait for the job to stop (ISO-8601). Default: ${DEFAULT-VALUE}.")
        Duration wait;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<TrainingEvent> commands = readTopic(kafka, kafka.jobsTopic());
            try (TrainingEvents.Reader reader = new TrainingEvents.Reader(kafka)) {
                boolean hasEvents = reader.seekToBeginningIfExists(Duration.ofSeconds(10));
                List<TrainingEvent> events = hasEvents ? reader.readAll() : List.of();
                JobSummary job = JobSummary.replay(commands, events).get(jobId);
                if (job == null) {
                    throw unknown(kafka, jobId);
                }
                if (job.isFinished()) {
                    throw new UserException(
                            "job " + jobId + " already ended (" + job.stateName() + ": "
                                    + TrainingEvents.describe(job.last) + "); there is nothing to cancel",
                            1);
                }
                TrainingEvents.cancel(kafka, jobId, reason, Duration.ofSeconds(30));
                out.println("cancel requested for " + jobId + " on " + kafka.jobsTopic() + " at "
                        + kafka.bootstrapServers());
                out.flush();
                if (noWait) {
                    return 0;
                }
                TrainingEvent last;
                try {
                    if (!hasEvents) {
                        reader.seekToBeginning(wait);
                    }
                    last = reader.follow(jobId, e -> {}, TrainingEvents::isTerminal, wait);
                } catch (UserException timedOut) {
                    throw new UserException(
                            "no answer to the cancel of " + jobId + " on " + kafka.eventsTopic() + " within "
                                    + wait.toSeconds() + " s; is trainer-service running? The request stays on "
                                    + kafka.jobsTopic()
                                    + "; `kotune jobs watch " + jobId + "` shows when the job stops.",
                            3);
                }
                out.println(line(last));
                if (last.hasCancelled()) {
                    return 0;
                }
                spec.commandLine()
                        .getErr()
                        .println("kotune jobs cancel: job " + jobId + " ended before the cancel took effect: "
                                + TrainingEvents.describe(last));
                return 1;
            }
        }
    }

    private static UserException unknown(KafkaOptions kafka, String jobId) {
        return new UserException(
                "unknown job " + jobId + ": no submission on " + kafka.jobsTopic() + " and no events on "
                        + kafka.eventsTopic() + " at " + kafka.bootstrapServers()
                        + " (`kotune jobs list` shows the known jobs)",
                3);
    }

    /** Every record of {@code topic} as events; none when the topic does not exist (yet). */
    static List<TrainingEvent> readTopic(KafkaOptions kafka, String topic) {
        try (TrainingEvents.Reader reader = new TrainingEvents.Reader(kafka, topic)) {
            return reader.seekToBeginningIfExists(Duration.ofSeconds(10)) ? reader.readAll() : List.of();
        }
    }

    /** Both topics replayed into one summary per job. */
    static Map<String, JobSummary> replay(KafkaOptions kafka) {
        List<TrainingEvent> commands = readTopic(kafka, kafka.jobsTopic());
        List<TrainingEvent> events = readTopic(kafka, kafka.eventsTopic());
        return JobSummary.replay(commands, events);
    }

    static void printTable(Map<String, JobSummary> jobs, PrintWriter out) {
        if (jobs.isEmpty()) {
            out.println("no jobs yet");
            out.flush();
            return;
        }
        Instant now = Instant.now();
        TextTable table = new TextTable("JOB", "STATE", "STEP", "LOSS", "BASE MODEL", "AGE", "LAST EVENT");
        for (JobSummary job : jobs.values()) {
            table.row(
                    job.jobId,
                    job.stateName(),
                    job.totalSteps > 0
                            ? job.step + "/" + job.totalSteps
                            : job.step > 0 ? String.valueOf(job.step) : "-",
                    Double.isNaN(job.loss) ? "-" : String.format(Locale.ROOT, "%.4f", job.loss),
                    job.baseModel.isEmpty() ? "-" : job.baseModel,
                    JobSummary.age(job.created, now),
                    job.last == null ? "-" : TrainingEvents.describe(job.last));
        }
        table.print(out);
    }

    static String line(TrainingEvent e) {
        return TIME.format(TrainingEvents.instant(e.getOccurredAt())) + "  " + e.getJobId() + "  "
                + TrainingEvents.describe(e);
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
