package dev.kotune.trainer;

import dev.kotune.trainer.domain.JobFact;
import dev.kotune.trainer.domain.TrainingJob;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * PLACEHOLDER, not a trainer: until GPT-2 training on DJL lands (issue 4), every validated job ends at once with
 * {@code TrainingFailed(error_type = "NOT_IMPLEMENTED")}, so clients see an honest outcome instead of a job that
 * looks like it trained. Any other {@link JobRunner} bean replaces this one. Stateless and thread-safe.
 */
@DefaultBean
@ApplicationScoped
public class PlaceholderJobRunner implements JobRunner {

    /** The failure's error_type. */
    public static final String ERROR_TYPE = "NOT_IMPLEMENTED";
    /** The failure's reason. */
    public static final String REASON = "training lands with issue 4 (GPT-2 on DJL)";

    private static final Logger LOG = Logger.getLogger(PlaceholderJobRunner.class);

    @Override
    public void run(TrainingJob job, JobContext context) {
        LOG.warnf("job %s: no trainer in this build (%s); publishing TrainingFailed %s", job.jobId(), REASON,
                ERROR_TYPE);
        context.publish(new JobFact.Failed(REASON, ERROR_TYPE, 0, false));
    }
}
