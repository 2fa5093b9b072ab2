package dev.kotune.trainer.run;

import dev.kotune.gpt2.LogEntry;
import dev.kotune.gpt2.StepEvent;
import dev.kotune.gpt2.Trainer;
import dev.kotune.gpt2.TrainerListener;
import dev.kotune.trainer.JobContext;
import dev.kotune.trainer.domain.JobFact;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The {@link TrainerListener} of one job: on every logging step it logs HF Trainer's line and publishes
 * {@code TrainingProgress} (mean loss since the last log, grad_norm before clipping, the lr used, fractional epoch,
 * samples/s since this run started); every {@code save_steps} it writes a checkpoint and publishes
 * {@code CheckpointSaved}. Runs on the training thread; not thread-safe.
 */
final class ProgressReporter implements TrainerListener {

    private static final Logger LOG = Logger.getLogger(ProgressReporter.class);

    /** A {@link JobFailure} raised inside the listener, carried out of {@code Trainer.train}. */
    static final class Abort extends RuntimeException {
        final JobFailure failure;

        Abort(JobFailure failure) {
            super(failure.getMessage(), failure);
            this.failure = failure;
        }
    }

    private final String jobId;
    private final JobContext context;
    private final SampleCounter samples;
    private final long saveSteps;
    private final CheckpointSaver saver;
    private final long startStep;
    private final long startNanos = System.nanoTime();
    private Trainer trainer;

    ProgressReporter(
            String jobId,
            JobContext context,
            SampleCounter samples,
            long saveSteps,
            CheckpointSaver saver,
            long startStep) {
        this.jobId = jobId;
        this.context = context;
        this.samples = samples;
        this.saveSteps = saveSteps;
        this.saver = saver;
        this.startStep = startStep;
    }

    /** The trainer whose steps are reported (needed to save checkpoints). */
    void attach(Trainer t) {
        this.trainer = t;
    }

    @Override
    public void onStep(StepEvent e) {
        LogEntry log = e.log();
        if (log != null) {
            double seconds = Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
            double perSecond = (samples.after(e.step()) - samples.after(startStep)) / seconds;
            LOG.infof("job %s step %d/%d: %s", jobId, e.step(), e.maxSteps(), log.toHfLine());
            context.publish(new JobFact.Progress(
                    e.step(), e.maxSteps(), log.epoch(), log.loss(), log.gradNorm(), log.learningRate(), perSecond));
        }
        if (saveSteps > 0 && e.step() % saveSteps == 0 && e.step() < e.maxSteps()) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", e.loss());
            metrics.put("learning_rate", e.learningRate());
            metrics.put("epoch", e.epoch());
            try {
                CheckpointSaver.Saved s = saver.save(trainer, e.step(), metrics);
                LOG.infof("job %s: saved %s", jobId, s.dir());
                context.publish(new JobFact.CheckpointSaved(s.step(), s.dir().toString(), s.weightsSha256()));
            } catch (JobFailure f) {
                throw new Abort(f);
            }
        }
    }
}
