package dev.kotune.trainer.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * {@code jobs/{id}/report.json}: what a person wants after a job — final metrics, the loss history, eval loss and the
 * answers before and after. Written atomically (temp file + rename). Immutable.
 *
 * @param jobId        e.g. "notebook-120301"
 * @param baseModel    as the job named it
 * @param baseModelDir the resolved directory
 * @param tokenizer    the tokenizer.json used
 * @param tokenizerSha256 its sha256
 * @param numExamples  training rows
 * @param truncated    rows cut to max_length
 * @param numParameters model parameters
 * @param resumedFromStep 0 for a fresh start
 * @param metrics      HF's final metrics (global_step, training_loss, train_runtime, ...)
 * @param evalLoss     mean loss over the training examples, no dropout, after training
 * @param lossHistory  every log line: step, epoch, loss, grad_norm, learning_rate
 * @param samples      prompt, answer before, answer after
 * @param checkpoint   final checkpoint directory
 * @param export       export directory, null when not exported
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobReport(
        String jobId,
        String baseModel,
        String baseModelDir,
        String tokenizer,
        String tokenizerSha256,
        int numExamples,
        int truncated,
        long numParameters,
        long resumedFromStep,
        Map<String, Double> metrics,
        double evalLoss,
        List<Map<String, Double>> lossHistory,
        List<Sample> samples,
        String checkpoint,
        String export) {

    /** One question answered before and after training. */
    public record Sample(String prompt, String answerBefore, String answerAfter) {}

    /** File name in the job directory. */
    public static final String FILE = "report.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes {@code dir/report.json} atomically. */
    public Path write(Path dir) throws IOException {
        Path target = dir.resolve(FILE);
        Path tmp = dir.resolve("." + FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }
}
