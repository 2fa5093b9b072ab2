package dev.kotune.trainer;

import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingJobCancelRequested;
import dev.kotune.trainer.JobMetrics.Outcome;
import dev.kotune.trainer.dataset.DatasetReader;
import dev.kotune.trainer.domain.JobFact;
import dev.kotune.trainer.domain.JobRecord;
import dev.kotune.trainer.domain.JobState;
import dev.kotune.trainer.domain.ValidationError;
import dev.kotune.trainer.kafka.DeadLetterPublisher;
import dev.kotune.trainer.kafka.ProtoMapper;
import dev.kotune.trainer.kafka.PublishFailedException;
import dev.kotune.trainer.kafka.TrainingEventDeserializer;
import dev.kotune.trainer.kafka.TrainingEventPublisher;
import dev.kotune.trainer.registry.JobRegistry;
import dev.kotune.trainer.run.ModelLocator;
import dev.kotune.trainer.validation.JobValidator;
import dev.kotune.trainer.validation.ValidationResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.jboss.logging.Logger;

/**
 * Handles one record of the jobs topic: parses the envelope, drops redeliveries (same event_id), validates a
 * submission and publishes TrainingJobValidated or TrainingJobRejected, records and queues accepted jobs, passes
 * cancel requests on, and sends everything else to the dead-letter topic with the reason. A bad record never
 * stops the consumer: only a broker that does not take what this publishes does (PublishFailedException), so the
 * record stays uncommitted. Every event it publishes names the submission it is about ({@code submission_id}); a
 * refused duplicate of an accepted job id is rejected under its own submission id with {@code duplicate_job_id}, so
 * no reader applies it to the original job. A submission whose job id breaks {@link JobValidator#JOB_ID} is rejected
 * before the id is looked up or used as a key: its rejection is keyed by {@link #REJECTED_SUBMISSION_KEY} and its
 * submission id. Called by one consumer thread at a time; thread-safe anyway.
 */
@ApplicationScoped
public class JobCommandHandler {

    private static final Logger LOG = Logger.getLogger(JobCommandHandler.class);

    /**
     * Prefix of the key (record key and envelope job_id) of the rejection of a submission whose job id breaks
     * {@link JobValidator#JOB_ID}; the submission id follows. The ':' is outside the rule, so no accepted job has it.
     */
    public static final String REJECTED_SUBMISSION_KEY = "submission:";

    private final TrainingEventDeserializer deserializer = new TrainingEventDeserializer();
    private final JobValidator validator;
    private final TrainingEventPublisher events;
    private final DeadLetterPublisher deadLetters;
    private final JobRegistry registry;
    private final JobWorker worker;
    private final JobMetrics metrics;
    private final EventIdLog handled;

    public JobCommandHandler(
            TrainingEventPublisher events,
            DeadLetterPublisher deadLetters,
            JobRegistry registry,
            JobWorker worker,
            JobMetrics metrics,
            TrainerConfig config,
            ModelLocator models) {
        this.validator = new JobValidator(new DatasetReader(), models);
        this.events = events;
        this.deadLetters = deadLetters;
        this.registry = registry;
        this.worker = worker;
        this.metrics = metrics;
        this.handled = new EventIdLog(config.dedupCapacity());
        registry.all().forEach(r -> handled.add(r.submittedEventId()));
    }

    /**
     * Handles one record.
     *
     * @throws PublishFailedException when the broker does not take an event or dead letter in time
     */
    public void handle(String topic, int partition, long offset, String key, byte[] value) {
        handle(topic, partition, offset, key, value, JobWorker.Completion.NONE);
    }

    /**
     * Handles one record; {@code done} is acknowledged once the record's outcome is on the broker: at once for
     * rejections, dead letters and cancel requests, and for an accepted job when its final event is (the worker does).
     *
     * @throws PublishFailedException when the broker refuses an event or dead letter for good
     */
    public void handle(String topic, int partition, long offset, String key, byte[] value, JobWorker.Completion done) {
        Source source = new Source(topic, partition, offset, key, value);
        TrainingEvent event = parse(source, done);
        if (event == null || redeliveredSubmission(event, source, done) || alreadyHandled(event, done)) {
            return;
        }
        if (key != null && !key.equals(event.getJobId())) {
            LOG.warnf(
                    "record key \"%s\" differs from the envelope's job_id \"%s\"; using the job_id",
                    key, event.getJobId());
        }
        if (dispatch(event, source, done)) {
            handled.add(event.getEventId());
        }
    }

    /** Where a record came from, and its raw value (for the dead-letter topic). */
    private record Source(String topic, int partition, long offset, String key, byte[] value) {
        /** The record's {@code topic-partition}. */
        String topicPartition() {
            return topic + "-" + partition;
        }
    }

    /** The record's envelope; null (the record dead-lettered and acknowledged) when it has none. */
    private TrainingEvent parse(Source source, JobWorker.Completion done) {
        TrainingEvent event;
        try {
            event = source.value() == null ? null : deserializer.deserialize(source.topic(), source.value());
        } catch (SerializationException e) {
            deadLetter(source, source.value(), e.getMessage());
            done.ack();
            return null;
        }
        if (event == null) {
            deadLetter(source, null, "null value (tombstone): the jobs topic carries commands");
            done.ack();
            return null;
        }
        return event;
    }

    /**
     * True when the record is the submission of a job this trainer accepted (same job id, same event id) and was
     * handed on ({@link #redelivered}). A job id that breaks {@link JobValidator#JOB_ID} is never looked up: no
     * accepted job has one, and as a path it could name another job's directory.
     */
    private boolean redeliveredSubmission(TrainingEvent event, Source source, JobWorker.Completion done) {
        if (event.getPayloadCase() != TrainingEvent.PayloadCase.JOB_SUBMITTED
                || !JobValidator.jobIdProblems(event.getJobId()).isEmpty()) {
            return false;
        }
        Optional<JobRecord> known = registry.find(event.getJobId());
        if (known.isPresent() && known.get().submittedEventId().equals(event.getEventId())) {
            redelivered(registry.reload(event.getJobId()).orElse(known.get()), source.topicPartition(), done);
            return true;
        }
        return false;
    }

    /** True (the record acknowledged) when the event was handled before. */
    private boolean alreadyHandled(TrainingEvent event, JobWorker.Completion done) {
        if (!handled.contains(event.getEventId())) {
            return false;
        }
        LOG.infof(
                "event %s (job %s) was already handled: dropping the redelivery", event.getEventId(), event.getJobId());
        metrics.received(Outcome.DUPLICATE);
        done.ack();
        return true;
    }

    /** Runs the command; false when it was no command (dead-lettered): its event id is not remembered then. */
    private boolean dispatch(TrainingEvent event, Source source, JobWorker.Completion done) {
        try {
            switch (event.getPayloadCase()) {
                case JOB_SUBMITTED -> {
                    if (!submit(event, source.topicPartition(), done)) {
                        done.ack();
                    }
                }
                case CANCEL_REQUESTED -> {
                    cancel(event);
                    done.ack();
                }
                default -> {
                    deadLetter(
                            source,
                            source.value(),
                            "payload " + event.getPayloadCase()
                                    + " is not a command: the jobs topic carries job_submitted and cancel_requested");
                    done.ack();
                    return false;
                }
            }
        } catch (PublishFailedException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.errorf(
                    e,
                    "record %s-%d@%d (job %s) could not be handled",
                    source.topic(),
                    source.partition(),
                    source.offset(),
                    event.getJobId());
            deadLetter(source, source.value(), "internal error while handling " + event.getPayloadCase() + ": " + e);
            done.ack();
        }
        return true;
    }

    /**
     * The record of a job this trainer accepted came again (the trainer restarted before the job ended, or the
     * partition came back after a rebalance): an unfinished job continues from its last checkpoint; a finished one
     * only has its record acknowledged (its final event is on the broker already).
     */
    private void redelivered(JobRecord record, String partition, JobWorker.Completion done) {
        String jobId = record.job().jobId();
        metrics.received(Outcome.DUPLICATE);
        if (record.state().isTerminal()) {
            LOG.infof("job %s came again but already ended (%s): acknowledging its record", jobId, record.state());
            worker.acknowledgeEnded(jobId, done);
            return;
        }
        LOG.infof("job %s came again while %s: it continues from its last checkpoint", jobId, record.state());
        worker.enqueue(record, partition, done);
    }

    /**
     * Validates and accepts or rejects a submission; true when the worker took the job (and acknowledges it). The job
     * id is checked first, alone: one that breaks the rule is neither looked up nor used as a key
     * ({@link #rejectJobId}).
     */
    private boolean submit(TrainingEvent event, String partition, JobWorker.Completion done) {
        String jobId = event.getJobId();
        String submissionId = event.getEventId();
        List<ValidationError> jobIdProblems = JobValidator.jobIdProblems(jobId);
        if (!jobIdProblems.isEmpty()) {
            rejectJobId(jobId, submissionId, jobIdProblems);
            return false;
        }
        Optional<JobRecord> existing = registry.find(jobId);
        ValidationResult result = withDuplicate(jobId, existing, validator.validate(jobId, event.getJobSubmitted()));
        if (result instanceof ValidationResult.Rejected rejected) {
            reject(jobId, submissionId, rejected, existing.isPresent());
            return false;
        }
        ValidationResult.Accepted accepted = (ValidationResult.Accepted) result;
        return accept(event, accepted, partition, done);
    }

    /**
     * Rejects a submission whose job id breaks {@link JobValidator#JOB_ID}: its rejection is keyed (record key and
     * envelope job_id) by {@link #REJECTED_SUBMISSION_KEY} and the submission id, a key no accepted job can have (the
     * ':' is outside the rule), so no reader applies it to a real job; the errors name the offending id.
     */
    private void rejectJobId(String jobId, String submissionId, List<ValidationError> errors) {
        String key = REJECTED_SUBMISSION_KEY + submissionId;
        LOG.infof("submission %s rejected: its job id is not valid: %s", submissionId, errors);
        events.publish(key, submissionId, b -> b.setJobRejected(ProtoMapper.rejected(errors)));
        metrics.received(Outcome.REJECTED);
    }

    /** The validation's result, turned into a rejection with a {@code job_id} error first when the id is taken. */
    private static ValidationResult withDuplicate(String jobId, Optional<JobRecord> existing, ValidationResult result) {
        if (existing.isEmpty()) {
            return result;
        }
        List<ValidationError> errors = new ArrayList<>();
        errors.add(new ValidationError(
                "job_id",
                "must be unique: job \"" + jobId + "\" was accepted at "
                        + existing.get().acceptedAt() + " and is "
                        + existing.get().state()));
        if (result instanceof ValidationResult.Rejected r) {
            errors.addAll(r.errors());
        }
        return new ValidationResult.Rejected(errors);
    }

    /** Publishes a submission's rejection (and waits for the broker). */
    private void reject(String jobId, String submissionId, ValidationResult.Rejected rejected, boolean duplicate) {
        LOG.infof(
                "%s %s rejected: %s",
                duplicate ? "a duplicate submission " + submissionId + " of job" : "job", jobId, rejected.errors());
        // a duplicate's rejection names its own submission and says so: readers keep the original job's state
        events.publish(
                jobId,
                submissionId,
                b -> b.setJobRejected(
                        ProtoMapper.rejected(rejected.errors()).toBuilder().setDuplicateJobId(duplicate)));
        metrics.received(Outcome.REJECTED);
    }

    /** Publishes TrainingJobValidated, records the job and queues it; false when its job.json cannot be written. */
    private boolean accept(
            TrainingEvent event, ValidationResult.Accepted accepted, String partition, JobWorker.Completion done) {
        String jobId = event.getJobId();
        String submissionId = event.getEventId();
        events.publish(
                jobId,
                submissionId,
                b -> b.setJobValidated(
                        ProtoMapper.validated(accepted.job(), accepted.numExamples(), accepted.totalSteps())));
        metrics.received(Outcome.VALIDATED);
        LOG.infof("job %s validated: %d examples, %d steps", jobId, accepted.numExamples(), accepted.totalSteps());
        Instant now = Instant.now();
        JobRecord record = new JobRecord(
                accepted.job(),
                event.getEventId(),
                event.getJobSubmitted().getSubmittedBy(),
                now,
                accepted.numExamples(),
                accepted.totalSteps(),
                JobState.VALIDATED,
                now);
        try {
            registry.accept(record);
        } catch (IOException e) {
            LOG.errorf(e, "job %s: cannot write job.json", jobId);
            events.publish(
                    jobId,
                    submissionId,
                    b -> ProtoMapper.withFact(
                            b,
                            new JobFact.Failed(
                                    "cannot write job.json under " + registry.jobDir(jobId) + ": " + e,
                                    "JOB_STORE",
                                    0,
                                    true)));
            return false;
        }
        worker.enqueue(record, partition, done);
        return true;
    }

    private void cancel(TrainingEvent event) {
        String jobId = event.getJobId();
        TrainingJobCancelRequested request = event.getCancelRequested();
        metrics.received(Outcome.CANCEL);
        Optional<JobRecord> known = registry.find(jobId);
        if (known.isEmpty()) {
            LOG.infof("cancel request for unknown job %s acknowledged: nothing to cancel", jobId);
            return;
        }
        if (known.get().state().isTerminal()) {
            LOG.infof(
                    "cancel request for job %s acknowledged: it already ended (%s)",
                    jobId, known.get().state());
            return;
        }
        JobWorker.CancelOutcome outcome = worker.cancel(jobId, request.getReason(), request.getRequestedBy());
        LOG.infof(
                "cancel request for job %s (%s, by %s): %s",
                jobId, request.getReason(), request.getRequestedBy(), outcome);
    }

    private void deadLetter(Source source, byte[] value, String reason) {
        String topic = source.topic();
        int partition = source.partition();
        long offset = source.offset();
        String key = source.key();
        LOG.warnf("record %s-%d@%d (key %s) to the dead-letter topic: %s", topic, partition, offset, key, reason);
        deadLetters.send(topic, partition, offset, key, value, reason);
        metrics.received(Outcome.DLQ);
    }
}
