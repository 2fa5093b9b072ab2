package dev.kotune.cli;

import static dev.kotune.cli.SubmitAndJobsTest.consumeAll;
import static dev.kotune.cli.SubmitAndJobsTest.event;
import static dev.kotune.cli.SubmitAndJobsTest.parse;
import static dev.kotune.cli.SubmitAndJobsTest.produce;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.kotune.broker.KafkaBootstrapServers;
import dev.kotune.broker.KafkaBrokerExtension;
import dev.kotune.proto.training.v1.TrainMetrics;
import dev.kotune.proto.training.v1.TrainingCancelled;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingFailed;
import dev.kotune.proto.training.v1.TrainingJobRejected;
import dev.kotune.proto.training.v1.TrainingJobValidated;
import dev.kotune.proto.training.v1.TrainingProgress;
import dev.kotune.proto.training.v1.TrainingStarted;
import dev.kotune.proto.training.v1.TrainingSucceeded;
import dev.kotune.proto.training.v1.ValidationError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code jobs list|watch|cancel} and YAML submission against a real KRaft broker; each test on its own topics. */
@ExtendWith(KafkaBrokerExtension.class)
class JobsCommandsTest {

    private static String[] args(String kafka, String name, String... command) {
        List<String> all = new java.util.ArrayList<>(List.of(command));
        all.addAll(List.of(
                "--bootstrap-servers",
                kafka,
                "--jobs-topic",
                "test." + name + ".jobs",
                "--events-topic",
                "test." + name + ".events"));
        return all.toArray(String[]::new);
    }

    private static TrainingEvent at(TrainingEvent e, long secondsAgo) {
        Timestamp now = TrainingEvents.now();
        return e.toBuilder()
                .setOccurredAt(now.toBuilder()
                        .setSeconds(now.getSeconds() - secondsAgo)
                        .setNanos(0))
                .build();
    }

    @Test
    void listShowsASubmittedJobWithItsBaseModel(@KafkaBootstrapServers String kafka) {
        KotuneCommandTest.Run submit =
                KotuneCommandTest.run(args(kafka, "list", "submit", "--notebook", "--job-id", "nb-list"));
        assertThat(submit.exitCode()).isZero();
        KotuneCommandTest.Run list = KotuneCommandTest.run(args(kafka, "list", "jobs", "list"));
        assertThat(list.err()).isEmpty();
        assertThat(list.exitCode()).isZero();
        assertThat(list.out())
                .containsPattern(
                        "(?m)^nb-list\\s+SUBMITTED\\s+-\\s+-\\s+kotune/tiny-ko\\s+\\d+s\\s+submitted: base_model=kotune/tiny-ko$");
    }

    @Test
    void listOfNothingSaysSo(@KafkaBootstrapServers String kafka) {
        KotuneCommandTest.Run list = KotuneCommandTest.run(args(kafka, "nothing", "jobs", "list"));
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).isEqualTo("no jobs yet" + System.lineSeparator());
    }

    @Test
    void cancelWritesTheCommandKeyedByTheJobId(@KafkaBootstrapServers String kafka) {
        assertThat(KotuneCommandTest.run(args(kafka, "cancel", "submit", "--notebook", "--job-id", "c-1"))
                        .exitCode())
                .isZero();
        KotuneCommandTest.Run cancel = KotuneCommandTest.run(
                args(kafka, "cancel", "jobs", "cancel", "c-1", "--no-wait", "--reason", "wrong data"));
        assertThat(cancel.err()).isEmpty();
        assertThat(cancel.exitCode()).isZero();
        assertThat(cancel.out()).contains("cancel requested for c-1 on test.cancel.jobs");

        List<ConsumerRecord<String, byte[]>> records = consumeAll(kafka, "test.cancel.jobs", 2);
        assertThat(records).hasSize(2);
        assertThat(records.get(1).key()).isEqualTo("c-1");
        TrainingEvent command = parse(records.get(1).value());
        assertThat(command.getJobId()).isEqualTo("c-1");
        assertThat(command.getProducer()).isEqualTo("kotune-cli");
        assertThat(command.hasCancelRequested()).isTrue();
        assertThat(command.getCancelRequested().getReason()).isEqualTo("wrong data");
        assertThat(command.getCancelRequested().getRequestedBy()).isNotEmpty();

        KotuneCommandTest.Run list = KotuneCommandTest.run(args(kafka, "cancel", "jobs"));
        assertThat(list.out()).containsPattern("(?m)^c-1\\s+SUBMITTED \\(cancelling\\)\\s");
    }

    @Test
    void cancelWaitsForTheTrainersCancelledEvent(@KafkaBootstrapServers String kafka) throws Exception {
        String name = "cancelwait";
        produce(
                kafka,
                "test." + name + ".events",
                event(
                        "c-2",
                        b -> b.setJobValidated(TrainingJobValidated.newBuilder().setTotalSteps(20))),
                event(
                        "c-2",
                        b -> b.setProgress(TrainingProgress.newBuilder()
                                .setStep(10)
                                .setTotalSteps(20)
                                .setLoss(2.5))));
        // A stand-in trainer: once the cancel request is on the jobs topic, the job stops.
        CompletableFuture<Void> trainer = CompletableFuture.runAsync(() -> {
            List<ConsumerRecord<String, byte[]>> commands = consumeAll(kafka, "test." + name + ".jobs", 1);
            TrainingEvent request = parse(commands.get(0).value());
            produce(
                    kafka,
                    "test." + name + ".events",
                    event(
                            "c-2",
                            b -> b.setCancelled(TrainingCancelled.newBuilder()
                                    .setStep(11)
                                    .setReason(request.getCancelRequested().getReason()))));
        });
        KotuneCommandTest.Run cancel =
                KotuneCommandTest.run(args(kafka, name, "jobs", "cancel", "c-2", "--wait", "PT60S"));
        trainer.get(60, TimeUnit.SECONDS);
        assertThat(cancel.err()).isEmpty();
        assertThat(cancel.exitCode()).isZero();
        assertThat(cancel.out())
                .contains("cancel requested for c-2")
                .contains("c-2  cancelled at step 11: cancelled from the command line");
    }

    @Test
    void cancelOfAnUnknownOrFinishedJobIsAClearError(@KafkaBootstrapServers String kafka) {
        String name = "cancelbad";
        produce(
                kafka,
                "test." + name + ".events",
                event(
                        "done",
                        b -> b.setSucceeded(TrainingSucceeded.newBuilder()
                                .setMetrics(TrainMetrics.newBuilder()
                                        .setGlobalStep(20)
                                        .setTrainingLoss(1.1)))));
        KotuneCommandTest.Run unknown = KotuneCommandTest.run(args(kafka, name, "jobs", "cancel", "nope"));
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.err())
                .contains("kotune jobs cancel: unknown job nope: no submission on test." + name + ".jobs");
        KotuneCommandTest.Run finished = KotuneCommandTest.run(args(kafka, name, "jobs", "cancel", "done"));
        assertThat(finished.exitCode()).isEqualTo(1);
        assertThat(finished.err())
                .contains("job done already ended (SUCCEEDED: succeeded: global_step 20")
                .contains("nothing to cancel");
        assertThat(consumeAll(kafka, "test." + name + ".jobs", 0)).isEmpty();
    }

    @Test
    void watchDrawsTheBarAndExitsZeroOnSuccess(@KafkaBootstrapServers String kafka) {
        String name = "watchok";
        produce(
                kafka,
                "test." + name + ".events",
                at(
                        event(
                                "w-1",
                                b -> b.setJobValidated(TrainingJobValidated.newBuilder()
                                        .setNumExamples(4)
                                        .setTotalSteps(20))),
                        30),
                at(
                        event(
                                "w-1",
                                b -> b.setStarted(TrainingStarted.newBuilder()
                                        .setTotalSteps(20)
                                        .setDevice("cpu"))),
                        20),
                at(
                        event(
                                "w-1",
                                b -> b.setProgress(TrainingProgress.newBuilder()
                                        .setStep(10)
                                        .setTotalSteps(20)
                                        .setLoss(2.5))),
                        10),
                at(
                        event(
                                "w-1",
                                b -> b.setProgress(TrainingProgress.newBuilder()
                                        .setStep(20)
                                        .setTotalSteps(20)
                                        .setLoss(1.25))),
                        0),
                event(
                        "other",
                        b -> b.setProgress(
                                TrainingProgress.newBuilder().setStep(3).setTotalSteps(9))),
                event(
                        "w-1",
                        b -> b.setSucceeded(TrainingSucceeded.newBuilder()
                                .setMetrics(TrainMetrics.newBuilder()
                                        .setGlobalStep(20)
                                        .setTrainingLoss(1.9)))));
        KotuneCommandTest.Run watch = KotuneCommandTest.run(args(kafka, name, "jobs", "watch", "w-1"));
        assertThat(watch.err()).isEmpty();
        assertThat(watch.exitCode()).isZero();
        List<String> lines = watch.out().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).endsWith("w-1  validated: 4 examples, 20 steps");
        assertThat(lines.get(1)).contains("w-1  started: 20 steps");
        assertThat(lines.get(2)).isEqualTo("[" + "#".repeat(15) + ".".repeat(15) + "] 10/20  50% loss 2.5000 ETA 0:10");
        assertThat(lines.get(3)).isEqualTo("[" + "#".repeat(30) + "] 20/20 100% loss 1.2500 ETA 0:00");
        assertThat(lines.get(4)).contains("w-1  succeeded: global_step 20 training_loss 1.9000");
        assertThat(watch.out()).doesNotContain("\r").doesNotContain("3/9");
    }

    @Test
    void watchExitsOneAndNamesTheReasonWhenTheJobFails(@KafkaBootstrapServers String kafka) {
        String name = "watchfail";
        produce(
                kafka,
                "test." + name + ".events",
                event(
                        "w-2",
                        b -> b.setJobValidated(TrainingJobValidated.newBuilder().setTotalSteps(20))),
                event(
                        "w-2",
                        b -> b.setFailed(TrainingFailed.newBuilder()
                                .setErrorType("OUT_OF_MEMORY")
                                .setReason("libtorch: out of memory")
                                .setStep(3))),
                event(
                        "w-3",
                        b -> b.setJobRejected(TrainingJobRejected.newBuilder()
                                .addErrors(ValidationError.newBuilder()
                                        .setField("spec.hyperparameters.learning_rate")
                                        .setMessage("must be in (0, 1], got 5")))));
        KotuneCommandTest.Run failed = KotuneCommandTest.run(args(kafka, name, "jobs", "watch", "w-2"));
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).contains("kotune jobs watch: job w-2 failed [OUT_OF_MEMORY]: libtorch: out of memory");
        KotuneCommandTest.Run rejected = KotuneCommandTest.run(args(kafka, name, "jobs", "watch", "w-3"));
        assertThat(rejected.exitCode()).isEqualTo(1);
        assertThat(rejected.err())
                .contains("job w-3 rejected: spec.hyperparameters.learning_rate: must be in (0, 1], got 5");
        KotuneCommandTest.Run unknown = KotuneCommandTest.run(args(kafka, name, "jobs", "watch", "nope"));
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.err()).contains("unknown job nope");
    }

    @Test
    void watchFollowsEventsThatArriveWhileItWaits(@KafkaBootstrapServers String kafka) throws Exception {
        String name = "watchlive";
        assertThat(KotuneCommandTest.run(args(kafka, name, "submit", "--notebook", "--job-id", "w-4"))
                        .exitCode())
                .isZero();
        CompletableFuture<KotuneCommandTest.Run> watch = CompletableFuture.supplyAsync(
                () -> KotuneCommandTest.run(args(kafka, name, "jobs", "watch", "w-4", "--timeout", "PT60S")));
        Thread.sleep(3000);
        produce(
                kafka,
                "test." + name + ".events",
                event(
                        "w-4",
                        b -> b.setProgress(TrainingProgress.newBuilder()
                                .setStep(5)
                                .setTotalSteps(20)
                                .setLoss(3.0))),
                event(
                        "w-4",
                        b -> b.setCancelled(
                                TrainingCancelled.newBuilder().setStep(5).setReason("enough"))));
        KotuneCommandTest.Run run = watch.get(90, TimeUnit.SECONDS);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("] 5/20  25% loss 3.0000").contains("w-4  cancelled at step 5: enough");
        assertThat(run.err()).contains("job w-4 cancelled at step 5: enough");
    }

    @Test
    void aYamlJobIsSubmittedExactlyAsItsJson(@KafkaBootstrapServers String kafka, @TempDir Path dir) throws Exception {
        String name = "yaml";
        Path json = dir.resolve("job.json");
        Files.writeString(
                json,
                com.google.protobuf.util.JsonFormat.printer().print(NotebookJob.spec(NotebookJob.BUILT_IN_BASE_MODEL)));
        assertThat(KotuneCommandTest.run(args(
                                kafka,
                                name,
                                "submit",
                                "--job",
                                JobFileTest.EXAMPLE.toString(),
                                "--job-id",
                                "from-yaml"))
                        .exitCode())
                .isZero();
        assertThat(KotuneCommandTest.run(args(kafka, name, "submit", "--job", json.toString(), "--job-id", "from-json"))
                        .exitCode())
                .isZero();
        List<ConsumerRecord<String, byte[]>> records = consumeAll(kafka, "test." + name + ".jobs", 2);
        assertThat(records).hasSize(2);
        assertThat(parse(records.get(0).value()).getJobSubmitted().getSpec())
                .isEqualTo(parse(records.get(1).value()).getJobSubmitted().getSpec())
                .isEqualTo(NotebookJob.spec(NotebookJob.BUILT_IN_BASE_MODEL));
    }

    /**
     * Issue 20, job identity: the trainer refuses a second submission of a job id under the duplicate's own
     * submission id with {@code duplicate_job_id}; {@code jobs list} and {@code jobs watch} keep the original job's
     * state (RUNNING, SUCCEEDED) instead of turning it REJECTED.
     */
    @Test
    void aRefusedDuplicateLeavesARunningAndASucceededJobAsTheyWere(@KafkaBootstrapServers String kafka) {
        String name = "dupid";
        String events = "test." + name + ".events";
        java.util.function.Function<String, TrainingEvent> duplicate = jobId -> event(
                jobId,
                b -> b.setSubmissionId("dup-of-" + jobId)
                        .setJobRejected(TrainingJobRejected.newBuilder()
                                .setDuplicateJobId(true)
                                .addErrors(ValidationError.newBuilder()
                                        .setField("job_id")
                                        .setMessage("must be unique: job \"" + jobId + "\" was accepted"))));
        produce(
                kafka,
                events,
                event(
                        "run-1",
                        b -> b.setSubmissionId("s-run")
                                .setJobValidated(
                                        TrainingJobValidated.newBuilder().setTotalSteps(20))),
                event(
                        "run-1",
                        b -> b.setSubmissionId("s-run")
                                .setStarted(TrainingStarted.newBuilder()
                                        .setTotalSteps(20)
                                        .setResumedFromStep(10))),
                event(
                        "run-1",
                        b -> b.setSubmissionId("s-run")
                                .setProgress(TrainingProgress.newBuilder()
                                        .setStep(12)
                                        .setTotalSteps(20)
                                        .setLoss(2.0))),
                duplicate.apply("run-1"),
                event(
                        "done-1",
                        b -> b.setSubmissionId("s-done")
                                .setJobValidated(
                                        TrainingJobValidated.newBuilder().setTotalSteps(20))),
                event(
                        "done-1",
                        b -> b.setSubmissionId("s-done")
                                .setSucceeded(TrainingSucceeded.newBuilder()
                                        .setMetrics(TrainMetrics.newBuilder()
                                                .setGlobalStep(20)
                                                .setTrainingLoss(1.5)))),
                duplicate.apply("done-1"));

        KotuneCommandTest.Run list = KotuneCommandTest.run(args(kafka, name, "jobs", "list"));
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).containsPattern("(?m)^run-1\\s+RUNNING\\s+12/20\\s");
        assertThat(list.out()).containsPattern("(?m)^done-1\\s+SUCCEEDED\\s+20/20\\s");
        assertThat(list.out()).doesNotContain("REJECTED");

        KotuneCommandTest.Run watch = KotuneCommandTest.run(args(kafka, name, "jobs", "watch", "done-1"));
        assertThat(watch.exitCode()).isZero();
        assertThat(watch.out()).contains("done-1  succeeded: global_step 20");
        assertThat(watch.out()).contains("duplicate submission dup-of-done-1 refused (the job keeps its state)");

        assertThat(TrainingEvents.describe(event(
                        "run-1",
                        b -> b.setStarted(TrainingStarted.newBuilder()
                                .setTotalSteps(20)
                                .setResumedFromStep(10)
                                .setAttempt(2)))))
                .endsWith(", resumed_from_step 10, attempt 2");
    }
}
