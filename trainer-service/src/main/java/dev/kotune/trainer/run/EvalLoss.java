package dev.kotune.trainer.run;

import dev.kotune.gpt2.Batch;
import dev.kotune.gpt2.Gpt2Model;
import dev.kotune.gpt2.TrainingExample;
import java.util.List;

/**
 * The mean token loss of a model over examples without dropout and without gradients: summed cross-entropy of every
 * shifted target whose label is not -100, divided by their number (HF's loss over one big batch). Stateless.
 */
final class EvalLoss {

    /** Rows per forward pass. */
    static final int BATCH = 16;

    private EvalLoss() {}

    static double of(Gpt2Model model, List<TrainingExample> rows) {
        double sum = 0;
        long targets = 0;
        for (int from = 0; from < rows.size(); from += BATCH) {
            List<TrainingExample> part = rows.subList(from, Math.min(from + BATCH, rows.size()));
            Batch batch = collate(part);
            long n = batch.targetCount();
            if (n > 0) {
                sum += model.loss(batch) * n;
                targets += n;
            }
        }
        return targets == 0 ? Double.NaN : sum / targets;
    }

    /** Rows of equal width (the preparer pads to max_length) stacked into one batch. */
    private static Batch collate(List<TrainingExample> rows) {
        int b = rows.size();
        int t = rows.get(0).inputIds().length;
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        long[] labels = new long[b * t];
        for (int r = 0; r < b; r++) {
            TrainingExample e = rows.get(r);
            System.arraycopy(e.inputIds(), 0, ids, r * t, t);
            System.arraycopy(e.attentionMask(), 0, mask, r * t, t);
            System.arraycopy(e.labels(), 0, labels, r * t, t);
        }
        return new Batch(b, t, ids, mask, null, labels);
    }
}
