package dev.kotune.trainer.run;

import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.checkpoint.CheckpointException;
import dev.kotune.checkpoint.GPT2Config;
import dev.kotune.checkpoint.KotuneMetadata;
import dev.kotune.engine.SamplingParams;
import dev.kotune.export.ExportResult;
import dev.kotune.export.GraphFlavour;
import dev.kotune.export.OnnxExporter;
import dev.kotune.gpt2.DataOrder;
import dev.kotune.gpt2.Gpt2Model;
import dev.kotune.gpt2.LogEntry;
import dev.kotune.gpt2.StepEvent;
import dev.kotune.gpt2.Torch;
import dev.kotune.gpt2.TrainOutput;
import dev.kotune.gpt2.Trainer;
import dev.kotune.gpt2.TrainingArguments;
import dev.kotune.tokenization.Example;
import dev.kotune.tokenization.PromptTemplate;
import dev.kotune.tokenization.SpecialTokenRole;
import dev.kotune.tokenization.chat.ChatTemplate;
import dev.kotune.trainer.JobContext;
import dev.kotune.trainer.JobRunner;
import dev.kotune.trainer.TrainerConfig;
import dev.kotune.trainer.dataset.DatasetReader;
import dev.kotune.trainer.domain.Hyperparameters;
import dev.kotune.trainer.domain.JobFact;
import dev.kotune.trainer.domain.TrainingJob;
import dev.kotune.trainer.kafka.PublishFailedException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The real {@link JobRunner}: trains GPT-2 on DJL's PyTorch engine with the {@code gpt2} library, HF Trainer
 * semantics. For one validated job it
 * <ol>
 *   <li>resolves the base model ({@link ModelLocator}: directory, built-in {@code kotune/...}, hub id) and the
 *       tokenizer ({@link TokenizerResolver}), reads the examples again and prepares them ({@link ExampleEncoder});
 *   <li>exports the base model to a temporary ONNX directory and answers the evaluation prompts with it ("before");
 *   <li>publishes {@code TrainingStarted}, trains, publishing {@code TrainingProgress} every {@code logging_steps}
 *       and writing {@code checkpoint-{step}} every {@code save_steps} ({@code CheckpointSaved}); a cancel request
 *       stops it at the next step boundary ({@code TrainingCancelled});
 *   <li>computes the eval loss (training examples, no dropout), saves the final checkpoint, exports it to
 *       {@code jobs/{id}/export}, answers the prompts with it ("after"), publishes {@code ModelEvaluated},
 *       {@code CheckpointExported}, writes {@code report.json} and publishes {@code TrainingSucceeded}.
 * </ol>
 * A job restarted after a crash continues from its last checkpoint with a training state. Every failure ends in
 * {@code TrainingFailed} with an {@link ErrorType}; nothing escapes to the consumer.
 *
 * <p>Called by the job worker, one job at a time (DJL allows one active gradient collector per process); the bean is
 * stateless between jobs and safe to inspect from other threads.
 */
@ApplicationScoped
public class DjlJobRunner implements JobRunner {

    /** The device training runs on (the CPU build of libtorch). */
    public static final String DEVICE = "cpu";
    /** Export directory name inside the job directory. */
    public static final String EXPORT_DIR = "export";

    private static final Logger LOG = Logger.getLogger(DjlJobRunner.class);

    private final ModelLocator locator;
    private final TokenizerResolver tokenizers;
    private final DatasetReader datasets = new DatasetReader();
    private final int intraOpThreads;
    private final ExampleSource exampleSource;

    public DjlJobRunner(TrainerConfig config, ModelLocator locator, ExampleSource exampleSource) {
        this.locator = locator;
        this.exampleSource = exampleSource;
        this.tokenizers = new TokenizerResolver(locator);
        this.intraOpThreads = config.intraOpThreads();
    }

    @Override
    public void run(TrainingJob job, JobContext context) {
        Run run = new Run(job, context);
        try {
            run.execute();
        } catch (JobFailure f) {
            run.fail(f);
        } catch (JobRejection r) {
            run.reject(r);
        } catch (ExampleSource.Cancelled c) {
            run.cancelled();
        } catch (ProgressReporter.Abort a) {
            run.fail(a.failure);
        } catch (PublishFailedException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            run.fail(new JobFailure(
                    ErrorType.OUT_OF_MEMORY,
                    "out of Java heap: " + e.getMessage() + " (raise -Xmx or use a smaller model / batch)",
                    true,
                    e));
        } catch (RuntimeException e) {
            ErrorType type = OutOfMemory.is(e) ? ErrorType.OUT_OF_MEMORY : ErrorType.INTERNAL;
            LOG.errorf(e, "job %s failed", job.jobId());
            run.fail(new JobFailure(
                    type, e.getClass().getSimpleName() + ": " + e.getMessage(), type == ErrorType.OUT_OF_MEMORY, e));
        } finally {
            run.close();
        }
    }

    /** One job's run: the resources it holds and how far it got. Not thread-safe. */
    private final class Run implements AutoCloseable {
        private final TrainingJob job;
        private final JobContext context;
        private final Path jobDir;
        private final Path scratch;
        private ResolvedTokenizer tokenizer;
        private Trainer trainer;
        private long lastStep;
        private StepEvent divergedAt;
        // set by prepare()
        private Path baseDir;
        private Checkpoint base;
        private ExampleEncoder.Encoded encoded;
        private SampleCounter samples;
        private long totalSteps;
        // set by answerBefore()
        private PromptTemplate template;
        private SamplingParams generation;
        private GraphFlavour flavour;
        private List<String> prompts;
        private List<String> before;
        // set by train()
        private CheckpointSaver saver;
        private long parameters;
        private long resumedFrom;

        Run(TrainingJob job, JobContext context) {
            this.job = job;
            this.context = context;
            this.jobDir = context.jobDir();
            this.scratch = jobDir.resolve(".scratch");
        }

        /** The stages in order; a cancel request is honoured between them and during training. */
        void execute() throws JobFailure, JobRejection, ExampleSource.Cancelled {
            prepare();
            if (stopIfCancelled()) {
                return;
            }
            answerBefore();
            if (stopIfCancelled()) {
                return;
            }
            TrainOutput out = train();
            if (out == null) {
                return;
            }
            Trained trained = checkpoint(out);
            Path exported = export(trained);
            List<JobFact.SampleAnswer> answers = evaluate(trained, exported);
            String exportPath = publishExport(trained, exported);
            report(trained, answers, exported, exportPath);
        }

        /** 1. Resolves the base model and the tokenizer, reads the examples again and prepares them. */
        void prepare() throws JobFailure, JobRejection, ExampleSource.Cancelled {
            if (intraOpThreads > 0) {
                Torch.configureThreads(intraOpThreads);
            }
            baseDir = locator.resolveModel(job.baseModel());
            try {
                base = Checkpoint.read(baseDir);
            } catch (CheckpointException e) {
                throw new JobFailure(
                        ErrorType.BASE_MODEL, "base model " + baseDir + " cannot be read: " + e.getMessage(), false, e);
            }
            tokenizer = tokenizers.resolve(
                    job.tokenizer().equals(job.baseModel()) ? "" : job.tokenizer(),
                    job.baseModel(),
                    baseDir,
                    base.config(),
                    base.metadata());
            encoded = encodeExamples(readExamples());
            Hyperparameters hp = job.hyperparameters();
            samples = new SampleCounter(
                    encoded.rows().size(), hp.perDeviceTrainBatchSize(), hp.gradientAccumulationSteps());
            totalSteps = hp.totalSteps(encoded.rows().size());
        }

        private ExampleEncoder.Encoded encodeExamples(List<Example> examples)
                throws JobFailure, JobRejection, ExampleSource.Cancelled {
            long prepareStart = System.nanoTime();
            ExampleSource.Prepared prepared =
                    exampleSource.prepare(tokenizer, examples, job.format(), new ExampleSource.Job() {
                        @Override
                        public void waiting(String status) {
                            context.publish(JobFact.Progress.status(context.totalSteps(), status));
                        }

                        @Override
                        public boolean cancelRequested() {
                            return context.cancelRequested();
                        }
                    });
            ExampleEncoder.Encoded result = prepared.encoded();
            int n = result.rows().size();
            LOG.infof(
                    "job %s: prepared %d examples via %s (sha256 %s) in %d ms",
                    job.jobId(), n, prepared.via(), prepared.sha256(), (System.nanoTime() - prepareStart) / 1_000_000);
            if (result.truncated() > 0) {
                LOG.infof(
                        "job %s: %d of %d examples were longer than max_length %d and were cut",
                        job.jobId(), result.truncated(), n, job.format().maxLength());
            }
            return result;
        }

        /** 2. Answers the evaluation prompts before training, on an ONNX export of the base model. */
        void answerBefore() throws JobFailure {
            template = ExampleEncoder.options(job.format()).template();
            generation = generationConfig();
            flavour = ExportFlavors.toExporter(job.export().graphFlavor());
            prompts = job.evaluation().prompts();
            before = List.of();
            if (!prompts.isEmpty()) {
                Path baseExport = export(
                        baseDir,
                        scratch.resolve("base-export"),
                        flavour,
                        tokenizer.tokenizerJson(),
                        null,
                        0L,
                        "the base model");
                before = SampleAnswerer.answer(baseExport, tokenizer.tokenizer(), template, prompts, generation);
                deleteTree(baseExport);
            }
        }

        /** 3. Trains (or continues a crashed run); null when it was cancelled. */
        TrainOutput train() throws JobFailure {
            Hyperparameters hp = job.hyperparameters();
            startTrainer(hp);
            TrainOutput out =
                    trainSteps(new ProgressReporter(job.jobId(), context, samples, hp.saveSteps(), saver, resumedFrom));
            lastStep = out.globalStep();
            if (divergedAt != null) {
                throw diverged();
            }
            if (out.cancelled()) {
                if (context.handingOver() && out.globalStep() > resumedFrom) {
                    saveForHandover(out);
                }
                cancelled();
                return null;
            }
            LOG.infof("job %s: %s", job.jobId(), out.toHfLine());
            return out;
        }

        /** Starts (or resumes) the engine's trainer on the base model and publishes TrainingStarted. */
        private void startTrainer(Hyperparameters hp) throws JobFailure {
            int n = encoded.rows().size();
            saver = new CheckpointSaver(jobDir, job.jobId(), job.baseModel(), tokenizer);
            trainer = resumeOrStart(base, arguments(hp), DataOrder.seededShuffle(hp.seed()));
            base = null; // the weights live in the engine now
            lastStep = trainer.state().globalStep;
            resumedFrom = lastStep;
            parameters = trainer.model().parameters().values().stream()
                    .mapToLong(a -> a.size())
                    .sum();
            int epochs = hp.maxSteps() > 0
                    ? (int) Math.ceil((double) totalSteps / samples.stepsPerEpoch())
                    : hp.numTrainEpochs();
            LOG.infof(
                    "job %s: training %s (%,d parameters) on %d examples, %d steps, %d epochs, batch %d%s",
                    job.jobId(),
                    baseDir,
                    parameters,
                    n,
                    totalSteps,
                    epochs,
                    hp.perDeviceTrainBatchSize(),
                    resumedFrom > 0 ? ", resumed at step " + resumedFrom : "");
            context.publish(new JobFact.Started(totalSteps, n, epochs, parameters, DEVICE, resumedFrom));
        }

        /** The DIVERGED failure at {@link #divergedAt}. */
        private JobFailure diverged() {
            return new JobFailure(
                    ErrorType.DIVERGED,
                    String.format(
                            Locale.ROOT,
                            "training diverged at step %d: "
                                    + "loss %s, grad_norm %s (learning_rate %.3g); nothing was saved after it — lower the "
                                    + "learning rate or max_grad_norm",
                            divergedAt.step(),
                            divergedAt.loss(),
                            divergedAt.gradNorm(),
                            divergedAt.learningRate()));
        }

        /** Saves the step a handed-over run reached and publishes CheckpointSaved. */
        private void saveForHandover(TrainOutput out) throws JobFailure {
            // the next run (here or on another replica) continues from this step, not an older checkpoint
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("epoch", out.epoch());
            CheckpointSaver.Saved s = saver.save(trainer, out.globalStep(), m);
            LOG.infof("job %s: handing over; saved %s", job.jobId(), s.dir());
            context.publish(new JobFact.CheckpointSaved(s.step(), s.dir().toString(), s.weightsSha256()));
        }

        private TrainOutput trainSteps(ProgressReporter reporter) throws JobFailure {
            reporter.attach(trainer);
            try {
                return trainer.train(
                        encoded.rows(),
                        e -> {
                            lastStep = e.step();
                            reporter.onStep(e);
                            if (divergedAt == null && (!Double.isFinite(e.loss()) || !Double.isFinite(e.gradNorm()))) {
                                divergedAt = e;
                            }
                        },
                        () -> divergedAt != null
                                || (context.handingOver()
                                        ? lastStep % job.hyperparameters().loggingSteps() == 0
                                        : context.cancelRequested()));
            } catch (ProgressReporter.Abort a) {
                throw a.failure;
            }
        }

        /** 4. Computes the eval loss and saves the final checkpoint. */
        Trained checkpoint(TrainOutput out) throws JobFailure {
            double evalLoss = EvalLoss.of(trainer.model(), encoded.rows());
            Map<String, Double> metrics = metrics(out, evalLoss);
            CheckpointSaver.Saved last = saver.save(trainer, out.globalStep(), metrics);
            context.publish(new JobFact.CheckpointSaved(last.step(), last.dir().toString(), last.weightsSha256()));
            return new Trained(out, evalLoss, metrics, last);
        }

        /** 5. Exports the final checkpoint to ONNX: the job's export directory, or scratch when not kept. */
        Path export(Trained trained) throws JobFailure {
            Path exportDir = job.export().onnx() ? jobDir.resolve(EXPORT_DIR) : scratch.resolve("final-export");
            return export(
                    trained.last().dir(),
                    exportDir,
                    flavour,
                    null,
                    job.jobId(),
                    trained.out().globalStep(),
                    "the checkpoint " + trained.last().dir());
        }

        /** 6. Answers the prompts with the exported model and publishes the before/after answers. */
        List<JobFact.SampleAnswer> evaluate(Trained trained, Path exported) throws JobFailure {
            List<String> after = prompts.isEmpty()
                    ? List.of()
                    : SampleAnswerer.answer(exported, tokenizer.tokenizer(), template, prompts, generation);
            List<JobFact.SampleAnswer> answers = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                answers.add(new JobFact.SampleAnswer(prompts.get(i), before.get(i), after.get(i)));
                LOG.infof(
                        "job %s: Q %s | before: %s | after: %s",
                        job.jobId(), prompts.get(i), before.get(i), after.get(i));
            }
            context.publish(new JobFact.Evaluated(trained.out().globalStep(), trained.evalLoss(), answers));
            return answers;
        }

        /** Publishes the kept export (its path), or deletes the scratch one (""). */
        private String publishExport(Trained trained, Path exported) throws JobFailure {
            if (!job.export().onnx()) {
                deleteTree(exported);
                return "";
            }
            context.publish(new JobFact.Exported(
                    trained.out().globalStep(),
                    trained.last().dir().toString(),
                    exported.toString(),
                    ExportFlavors.toProto(flavour),
                    tokenizer.sha256(),
                    sha256(exported.resolve("model.onnx"))));
            return exported.toString();
        }

        /** 7. Writes report.json and publishes the success. */
        void report(Trained trained, List<JobFact.SampleAnswer> answers, Path exported, String exportPath)
                throws JobFailure {
            TrainOutput out = trained.out();
            writeReport(
                    baseDir,
                    encoded.rows().size(),
                    encoded.truncated(),
                    parameters,
                    resumedFrom,
                    trained.metrics(),
                    trained.evalLoss(),
                    out.logHistory(),
                    answers,
                    trained.last().dir(),
                    job.export().onnx() ? exported : null);
            context.publish(new JobFact.Succeeded(
                    new JobFact.TrainMetrics(
                            out.globalStep(),
                            out.trainingLoss(),
                            out.trainRuntime(),
                            out.trainSamplesPerSecond(),
                            out.trainStepsPerSecond(),
                            out.totalFlos()),
                    trained.last().dir().toString(),
                    exportPath));
        }

        private List<Example> readExamples() throws JobFailure {
            try {
                DatasetReader.Loaded loaded = datasets.read(job.dataset());
                if (loaded.examples().isEmpty()) {
                    throw new JobFailure(
                            ErrorType.DATASET,
                            "the dataset " + describeDataset() + " has no examples now"
                                    + (loaded.problems().isEmpty() ? "" : ": " + loaded.problems()));
                }
                return loaded.examples();
            } catch (IOException e) {
                throw new JobFailure(
                        ErrorType.DATASET,
                        "the dataset " + describeDataset() + " cannot be read: " + e.getMessage(),
                        true,
                        e);
            }
        }

        private String describeDataset() {
            return job.dataset().isInline() ? "(inline)" : job.dataset().path();
        }

        private SamplingParams generationConfig() throws JobFailure {
            var info = tokenizer.tokenizer().info();
            int eos = info.token(SpecialTokenRole.EOS).orElseThrow().id();
            int pad = info.token(SpecialTokenRole.PAD).orElseThrow().id();
            try {
                return job.evaluation().generation().toBuilder()
                        .eosTokenId(eos)
                        .padTokenId(pad)
                        .build();
            } catch (IllegalArgumentException e) {
                throw new JobFailure(ErrorType.EVALUATION, e.getMessage(), false, e);
            }
        }

        private Trainer resumeOrStart(Checkpoint base, TrainingArguments args, DataOrder order) throws JobFailure {
            Optional<Path> resume = ResumePoint.latest(jobDir);
            if (resume.isPresent()) {
                Path dir = resume.get();
                try {
                    KotuneMetadata md = KotuneMetadata.read(dir.resolve(KotuneMetadata.FILE));
                    if (md.tokenizerSha256() != null && !md.tokenizerSha256().equalsIgnoreCase(tokenizer.sha256())) {
                        throw new IllegalStateException("it was trained with tokenizer sha256 " + md.tokenizerSha256());
                    }
                    Trainer t = Trainer.resume(dir, args, order);
                    LOG.infof("job %s: continuing from %s (step %d)", job.jobId(), dir, t.state().globalStep);
                    return t;
                } catch (IOException | RuntimeException e) {
                    LOG.warnf(
                            "job %s: cannot continue from %s (%s); starting again from the base model",
                            job.jobId(), dir, e.getMessage());
                }
            }
            GPT2Config config = job.hyperparameters().dropout()
                    ? base.config()
                    : base.config().withDropout(0);
            try {
                return new Trainer(Gpt2Model.fromStateDict(config, base.weights()), args, order);
            } catch (IllegalArgumentException e) {
                throw new JobFailure(
                        ErrorType.BASE_MODEL,
                        "base model " + base.dir() + " cannot be loaded: " + e.getMessage(),
                        false,
                        e);
            }
        }

        private Path export(
                Path checkpoint,
                Path out,
                GraphFlavour flavour,
                Path tokenizerJson,
                String jobId,
                Long step,
                String what)
                throws JobFailure {
            try {
                // the chat template of the training text, so /v1/chat/completions answers as /v1/completions
                String chat = ChatTemplate.forPromptTemplate(
                        ExampleEncoder.options(job.format()).template(),
                        job.format().appendEos());
                var options = dev.kotune.export.ExportOptions.of(checkpoint, out)
                        .withFlavour(flavour)
                        .withTokenizer(tokenizerJson)
                        .withJob(jobId, step)
                        .withChatTemplate(
                                chat,
                                ChatTemplate.specialTokens(tokenizer.tokenizer().info()));
                ExportResult r = OnnxExporter.export(options);
                return r.dir();
            } catch (IOException | RuntimeException e) {
                if (OutOfMemory.is(e)) {
                    throw new JobFailure(
                            ErrorType.OUT_OF_MEMORY,
                            "out of memory exporting " + what + " to " + out + ": " + e.getMessage(),
                            true,
                            e);
                }
                throw new JobFailure(
                        ErrorType.EXPORT,
                        "exporting " + what + " to ONNX (" + out + ") failed: " + e,
                        e instanceof IOException,
                        e);
            }
        }

        private boolean stopIfCancelled() {
            if (!context.cancelRequested()) {
                return false;
            }
            cancelled();
            return true;
        }

        void cancelled() {
            LOG.infof("job %s cancelled at step %d (%s)", job.jobId(), lastStep, context.cancelReason());
            context.publish(new JobFact.Cancelled(lastStep, context.cancelReason(), context.cancelRequestedBy()));
        }

        void reject(JobRejection r) {
            LOG.warnf("job %s rejected: %s", job.jobId(), r.getMessage());
            context.publish(new JobFact.Rejected(r.errors()));
        }

        void fail(JobFailure f) {
            LOG.warnf("job %s failed at step %d: %s %s", job.jobId(), lastStep, f.type(), f.getMessage());
            context.publish(new JobFact.Failed(f.getMessage(), f.type().name(), lastStep, f.retryable()));
        }

        private void writeReport(
                Path baseDir,
                int n,
                int truncated,
                long parameters,
                long resumedFrom,
                Map<String, Double> metrics,
                double evalLoss,
                List<LogEntry> history,
                List<JobFact.SampleAnswer> answers,
                Path checkpoint,
                Path export)
                throws JobFailure {
            List<Map<String, Double>> losses = history.stream()
                    .map(l -> {
                        Map<String, Double> m = new LinkedHashMap<>();
                        m.put("step", (double) l.step());
                        m.put("epoch", l.epoch());
                        m.put("loss", l.loss());
                        m.put("grad_norm", l.gradNorm());
                        m.put("learning_rate", l.learningRate());
                        return m;
                    })
                    .toList();
            JobReport report = new JobReport(
                    job.jobId(),
                    job.baseModel(),
                    baseDir.toString(),
                    tokenizer.tokenizerJson().toString(),
                    tokenizer.sha256(),
                    n,
                    truncated,
                    parameters,
                    resumedFrom,
                    metrics,
                    evalLoss,
                    losses,
                    answers.stream()
                            .map(a -> new JobReport.Sample(a.prompt(), a.answerBefore(), a.answerAfter()))
                            .toList(),
                    checkpoint.toString(),
                    export == null ? null : export.toString());
            try {
                report.write(jobDir);
            } catch (IOException e) {
                throw new JobFailure(
                        ErrorType.CHECKPOINT_IO, "cannot write " + jobDir.resolve(JobReport.FILE) + ": " + e, true, e);
            }
        }

        @Override
        public void close() {
            if (trainer != null) {
                trainer.model().close();
            }
            if (tokenizer != null) {
                tokenizer.close();
            }
            try {
                deleteTree(scratch);
            } catch (RuntimeException e) {
                LOG.warnf("job %s: could not delete %s: %s", job.jobId(), scratch, e.getMessage());
            }
        }
    }

    /**
     * What training produced: the trainer's output, the eval loss, the final metrics and the final checkpoint.
     *
     * @param out      the trainer's output
     * @param evalLoss loss on the training examples without dropout
     * @param metrics  HF's final metrics plus the eval loss
     * @param last     the final checkpoint
     */
    private record Trained(TrainOutput out, double evalLoss, Map<String, Double> metrics, CheckpointSaver.Saved last) {}

    /** HF TrainingArguments from the job's resolved hyperparameters. */
    static TrainingArguments arguments(Hyperparameters hp) {
        return new TrainingArguments(
                hp.perDeviceTrainBatchSize(),
                hp.gradientAccumulationSteps(),
                hp.numTrainEpochs(),
                hp.maxSteps() > 0 ? hp.maxSteps() : -1,
                hp.learningRate(),
                hp.weightDecay(),
                hp.warmupSteps(),
                0.9,
                0.999,
                1e-8,
                hp.maxGradNorm(),
                hp.loggingSteps(),
                hp.seed());
    }

    /** HF's final metrics plus the eval loss, as kotune.json and report.json carry them. */
    static Map<String, Double> metrics(TrainOutput out, double evalLoss) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("global_step", (double) out.globalStep());
        m.put("training_loss", out.trainingLoss());
        m.put("train_runtime", out.trainRuntime());
        m.put("train_samples_per_second", out.trainSamplesPerSecond());
        m.put("train_steps_per_second", out.trainStepsPerSecond());
        m.put("total_flos", out.totalFlos());
        m.put("epoch", out.epoch());
        m.put("eval_loss", evalLoss);
        return m;
    }

    private static String sha256(Path file) throws JobFailure {
        try {
            return Sha256.of(file);
        } catch (IOException e) {
            throw new JobFailure(ErrorType.EXPORT, "cannot read " + file + ": " + e, true, e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
