package dev.kotune.trainer.domain;

import java.util.List;

/**
 * The lifecycle facts a {@code JobRunner} reports while it runs a job; the service publishes each one as a
 * {@code TrainingEvent} on the events topic (key = job id) and derives the job's {@link JobState} from them.
 * Immutable records, thread-safe.
 */
public sealed interface JobFact {

    /** The state a job is in once this fact happened. */
    JobState resultingState();

    /** Training began. */
    record Started(
            long totalSteps, int numExamples, int numEpochs, long numParameters, String device, long resumedFromStep)
            implements JobFact {
        @Override
        public JobState resultingState() {
            return JobState.RUNNING;
        }
    }

    /** A logging step (HF Trainer's log line). */
    record Progress(
            long step,
            long totalSteps,
            double epoch,
            double loss,
            double gradNorm,
            double learningRate,
            double samplesPerSecond,
            String status)
            implements JobFact {

        /** A logging step (no status). */
        public Progress(
                long step,
                long totalSteps,
                double epoch,
                double loss,
                double gradNorm,
                double learningRate,
                double samplesPerSecond) {
            this(step, totalSteps, epoch, loss, gradNorm, learningRate, samplesPerSecond, "");
        }

        /** A status update before training: what the job waits for (step 0). */
        public static Progress status(long totalSteps, String status) {
            return new Progress(0, totalSteps, 0, 0, 0, 0, 0, status);
        }

        @Override
        public JobState resultingState() {
            return JobState.RUNNING;
        }
    }

    /**
     * The job was refused after it was accepted, before anything trained (e.g. tokenizer-service has another
     * tokenizer than the base model's); published as {@code TrainingJobRejected}.
     */
    record Rejected(List<ValidationError> errors) implements JobFact {
        public Rejected {
            errors = List.copyOf(errors);
        }

        @Override
        public JobState resultingState() {
            return JobState.REJECTED;
        }
    }

    /** A checkpoint is on disk (HF layout plus full training state). */
    record CheckpointSaved(long step, String path, String weightsSha256) implements JobFact {
        @Override
        public JobState resultingState() {
            return JobState.RUNNING;
        }
    }

    /** One question answered before and after training. */
    record SampleAnswer(String prompt, String answerBefore, String answerAfter) {}

    /** The model was evaluated. */
    record Evaluated(long step, double evalLoss, List<SampleAnswer> samples) implements JobFact {
        public Evaluated {
            samples = List.copyOf(samples);
        }

        @Override
        public JobState resultingState() {
            return JobState.RUNNING;
        }
    }

    /** A checkpoint was exported to ONNX and can be served. */
    record Exported(
            long step,
            String checkpointPath,
            String exportPath,
            String graphFlavor,
            String tokenizerSha256,
            String modelSha256)
            implements JobFact {
        @Override
        public JobState resultingState() {
            return JobState.RUNNING;
        }
    }

    /** HF Trainer's final metrics; runtime in seconds. */
    record TrainMetrics(
            long globalStep,
            double trainingLoss,
            double trainRuntime,
            double trainSamplesPerSecond,
            double trainStepsPerSecond,
            double totalFlos) {}

    /** The job finished. */
    record Succeeded(TrainMetrics metrics, String checkpointPath, String exportPath) implements JobFact {
        @Override
        public JobState resultingState() {
            return JobState.SUCCEEDED;
        }
    }

    /** The job stopped on an error; errorType is machine-readable, e.g. "CHECKPOINT_IO". */
    record Failed(String reason, String errorType, long step, boolean retryable) implements JobFact {
        @Override
        public JobState resultingState() {
            return JobState.FAILED;
        }
    }

    /** The job stopped because it was asked to. */
    record Cancelled(long step, String reason, String requestedBy) implements JobFact {
        @Override
        public JobState resultingState() {
            return JobState.CANCELLED;
        }
    }
}
