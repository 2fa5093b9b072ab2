package dev.kotune.trainer.kafka;

import dev.kotune.generation.proto.GenerationParametersMapping;
import dev.kotune.proto.training.v1.CheckpointExported;
import dev.kotune.proto.training.v1.CheckpointSaved;
import dev.kotune.proto.training.v1.DatasetFormat;
import dev.kotune.proto.training.v1.EvaluationSpec;
import dev.kotune.proto.training.v1.Example;
import dev.kotune.proto.training.v1.ExportOptions;
import dev.kotune.proto.training.v1.Hyperparameters;
import dev.kotune.proto.training.v1.InlineExamples;
import dev.kotune.proto.training.v1.ModelEvaluated;
import dev.kotune.proto.training.v1.PromptFormat;
import dev.kotune.proto.training.v1.SampleAnswer;
import dev.kotune.proto.training.v1.TrainMetrics;
import dev.kotune.proto.training.v1.TrainingCancelled;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingFailed;
import dev.kotune.proto.training.v1.TrainingJobRejected;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import dev.kotune.proto.training.v1.TrainingJobValidated;
import dev.kotune.proto.training.v1.TrainingProgress;
import dev.kotune.proto.training.v1.TrainingStarted;
import dev.kotune.proto.training.v1.TrainingSucceeded;
import dev.kotune.proto.training.v1.ValidationError;
import dev.kotune.trainer.domain.Dataset;
import dev.kotune.trainer.domain.JobFact;
import dev.kotune.trainer.domain.TrainingJob;
import java.util.List;

/**
 * Maps the domain's records to the wire's protobuf messages (the other direction is
 * {@link dev.kotune.trainer.validation.JobValidator}). Stateless and thread-safe.
 */
public final class ProtoMapper {

    private ProtoMapper() {}

    /** The resolved spec, every default filled in. */
    public static TrainingJobSpec toProto(TrainingJob job) {
        var hp = job.hyperparameters();
        var format = job.format();
        return TrainingJobSpec.newBuilder()
                .setBaseModel(job.baseModel())
                .setTokenizer(job.tokenizer())
                .setDataset(toProto(job.dataset()))
                .setFormat(PromptFormat.newBuilder()
                        .setTemplate(format.template())
                        .setAppendEos(format.appendEos())
                        .setMaxLength(format.maxLength())
                        .setCompletionOnly(format.completionOnly()))
                .setHyperparameters(Hyperparameters.newBuilder()
                        .setNumTrainEpochs(hp.numTrainEpochs())
                        .setMaxSteps(hp.maxSteps())
                        .setPerDeviceTrainBatchSize(hp.perDeviceTrainBatchSize())
                        .setGradientAccumulationSteps(hp.gradientAccumulationSteps())
                        .setLearningRate(hp.learningRate())
                        .setWeightDecay(hp.weightDecay())
                        .setWarmupSteps(hp.warmupSteps())
                        .setMaxGradNorm(hp.maxGradNorm())
                        .setSeed(hp.seed())
                        .setLoggingSteps(hp.loggingSteps())
                        .setSaveSteps(hp.saveSteps())
                        .setDropout(hp.dropout()))
                .setExport(ExportOptions.newBuilder()
                        .setOnnx(job.export().onnx())
                        .setGraphFlavor(job.export().graphFlavor()))
                .setEvaluation(EvaluationSpec.newBuilder()
                        .addAllPrompts(job.evaluation().prompts())
                        .setGeneration(GenerationParametersMapping.toProto(
                                job.evaluation().generation())))
                .putAllLabels(job.labels())
                .build();
    }

    private static dev.kotune.proto.training.v1.Dataset toProto(Dataset dataset) {
        var b = dev.kotune.proto.training.v1.Dataset.newBuilder().setLimit(dataset.limit());
        switch (dataset.format()) {
            case INLINE ->
                b.setInline(InlineExamples.newBuilder()
                        .addAllExamples(dataset.examples().stream()
                                .map(e -> Example.newBuilder()
                                        .setPrompt(e.prompt())
                                        .setCompletion(e.completion())
                                        .build())
                                .toList()));
            case JSONL -> b.setUri(dataset.path()).setFormat(DatasetFormat.DATASET_FORMAT_JSONL);
            case CSV ->
                b.setUri(dataset.path())
                        .setFormat(DatasetFormat.DATASET_FORMAT_CSV)
                        .setPromptColumn(dataset.promptColumn())
                        .setCompletionColumn(dataset.completionColumn());
        }
        return b.build();
    }

    /** TrainingJobValidated. */
    public static TrainingJobValidated validated(TrainingJob job, int numExamples, long totalSteps) {
        return TrainingJobValidated.newBuilder()
                .setResolvedSpec(toProto(job))
                .setNumExamples(numExamples)
                .setTotalSteps(totalSteps)
                .build();
    }

    /** TrainingJobRejected with every error. */
    public static TrainingJobRejected rejected(List<dev.kotune.trainer.domain.ValidationError> errors) {
        var b = TrainingJobRejected.newBuilder();
        errors.forEach(e ->
                b.addErrors(ValidationError.newBuilder().setField(e.field()).setMessage(e.message())));
        return b.build();
    }

    /** Sets the envelope's payload from a runner's fact. */
    public static TrainingEvent.Builder withFact(TrainingEvent.Builder envelope, JobFact fact) {
        if (fact instanceof JobFact.Started s) {
            return envelope.setStarted(started(s));
        } else if (fact instanceof JobFact.Progress p) {
            return envelope.setProgress(progress(p));
        } else if (fact instanceof JobFact.Rejected r) {
            return envelope.setJobRejected(rejected(r.errors()));
        } else if (fact instanceof JobFact.CheckpointSaved c) {
            return envelope.setCheckpointSaved(checkpointSaved(c));
        } else if (fact instanceof JobFact.Evaluated e) {
            return envelope.setEvaluated(evaluated(e));
        } else if (fact instanceof JobFact.Exported x) {
            return envelope.setCheckpointExported(exported(x));
        } else if (fact instanceof JobFact.Succeeded s) {
            return envelope.setSucceeded(succeeded(s));
        } else if (fact instanceof JobFact.Failed f) {
            return envelope.setFailed(failed(f));
        } else if (fact instanceof JobFact.Cancelled c) {
            return envelope.setCancelled(cancelled(c));
        }
        throw new IllegalArgumentException("unknown fact " + fact);
    }

    private static TrainingStarted.Builder started(JobFact.Started s) {
        return TrainingStarted.newBuilder()
                .setTotalSteps(s.totalSteps())
                .setNumExamples(s.numExamples())
                .setNumEpochs(s.numEpochs())
                .setNumParameters(s.numParameters())
                .setDevice(s.device())
                .setResumedFromStep(s.resumedFromStep());
    }

    private static TrainingProgress.Builder progress(JobFact.Progress p) {
        return TrainingProgress.newBuilder()
                .setStep(p.step())
                .setTotalSteps(p.totalSteps())
                .setEpoch(p.epoch())
                .setLoss(p.loss())
                .setGradNorm(p.gradNorm())
                .setLearningRate(p.learningRate())
                .setSamplesPerSecond(p.samplesPerSecond())
                .setStatus(p.status());
    }

    private static CheckpointSaved.Builder checkpointSaved(JobFact.CheckpointSaved c) {
        return CheckpointSaved.newBuilder().setStep(c.step()).setPath(c.path()).setWeightsSha256(c.weightsSha256());
    }

    private static ModelEvaluated.Builder evaluated(JobFact.Evaluated e) {
        var b = ModelEvaluated.newBuilder().setStep(e.step()).setEvalLoss(e.evalLoss());
        e.samples()
                .forEach(s -> b.addSamples(SampleAnswer.newBuilder()
                        .setPrompt(s.prompt())
                        .setAnswerBefore(s.answerBefore())
                        .setAnswerAfter(s.answerAfter())));
        return b;
    }

    private static CheckpointExported.Builder exported(JobFact.Exported x) {
        return CheckpointExported.newBuilder()
                .setStep(x.step())
                .setCheckpointPath(x.checkpointPath())
                .setExportPath(x.exportPath())
                .setGraphFlavor(x.graphFlavor())
                .setTokenizerSha256(x.tokenizerSha256())
                .setModelSha256(x.modelSha256());
    }

    private static TrainingSucceeded.Builder succeeded(JobFact.Succeeded s) {
        var m = s.metrics();
        return TrainingSucceeded.newBuilder()
                .setMetrics(TrainMetrics.newBuilder()
                        .setGlobalStep(m.globalStep())
                        .setTrainingLoss(m.trainingLoss())
                        .setTrainRuntime(m.trainRuntime())
                        .setTrainSamplesPerSecond(m.trainSamplesPerSecond())
                        .setTrainStepsPerSecond(m.trainStepsPerSecond())
                        .setTotalFlos(m.totalFlos()))
                .setCheckpointPath(s.checkpointPath())
                .setExportPath(s.exportPath());
    }

    private static TrainingFailed.Builder failed(JobFact.Failed f) {
        return TrainingFailed.newBuilder()
                .setReason(f.reason())
                .setErrorType(f.errorType())
                .setStep(f.step())
                .setRetryable(f.retryable());
    }

    private static TrainingCancelled.Builder cancelled(JobFact.Cancelled c) {
        return TrainingCancelled.newBuilder()
                .setStep(c.step())
                .setReason(c.reason())
                .setRequestedBy(c.requestedBy());
    }
}
