package dev.kotune.cli;

import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A job's lifecycle events as the demo prints them: {@code TrainingProgress} as a text progress bar (steps, loss, ETA),
 * every other event as one line. On a terminal the bar redraws in place (carriage return); otherwise (a pipe, a log,
 * a test) it prints a plain line about every tenth of the run and at the last step. Keeps every (step, loss) for the
 * loss curve. Not thread-safe: one per job, on the thread that follows the events.
 */
final class TrainingProgressBar {
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean inPlace;
    private final List<long[]> steps = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private Instant started;
    private boolean barOpen;
    private long lastPrinted = -1;

    /** @param inPlace redraw one line with {@code \r} (a terminal) instead of printing lines */
    TrainingProgressBar(PrintWriter out, boolean inPlace) {
        this.out = out;
        this.inPlace = inPlace;
    }

    /** True when stdout is a terminal (then the bar redraws in place). */
    static boolean stdoutIsTerminal() {
        return System.console() != null;
    }

    void accept(TrainingEvent e) {
        if (e.hasStarted()) {
            started = TrainingEvents.instant(e.getOccurredAt());
        }
        if (!e.hasProgress()) {
            closeBar();
            out.println("      " + JobsCommand.line(e));
            out.flush();
            return;
        }
        TrainingProgress p = e.getProgress();
        steps.add(new long[] {p.getStep()});
        losses.add(p.getLoss());
        String bar = bar(p, TrainingEvents.instant(e.getOccurredAt()));
        if (inPlace) {
            out.print("\r      " + bar);
            barOpen = true;
            if (p.getStep() >= p.getTotalSteps()) {
                closeBar();
            }
        } else {
            long every = Math.max(1, p.getTotalSteps() / 10);
            if (p.getStep() >= p.getTotalSteps() || p.getStep() / every != lastPrinted / every || lastPrinted < 0) {
                out.println("      " + bar);
                lastPrinted = p.getStep();
            }
        }
        out.flush();
    }

    /** The bar for one progress event, e.g. {@code [#########.....] step 12/40  loss 0.3650  ETA 2 s}. */
    String bar(TrainingProgress p, Instant at) {
        long total = Math.max(1, p.getTotalSteps());
        int filled = (int) Math.min(WIDTH, Math.round(WIDTH * (double) p.getStep() / total));
        String eta;
        if (p.getStep() >= total) {
            eta = "done";
        } else if (started != null && p.getStep() > 0) {
            double perStep = Duration.between(started, at).toMillis() / 1000.0 / p.getStep();
            eta = String.format(Locale.ROOT, "ETA %.0f s", Math.max(0, perStep * (total - p.getStep())));
        } else {
            eta = "ETA ?";
        }
        return String.format(
                Locale.ROOT,
                "[%s%s] step %d/%d  loss %.4f  %s",
                "#".repeat(filled),
                ".".repeat(WIDTH - filled),
                p.getStep(),
                total,
                p.getLoss(),
                eta);
    }

    /** The (step, loss) pairs seen so far, in order. */
    double[][] curve() {
        double[][] c = new double[2][steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            c[0][i] = steps.get(i)[0];
            c[1][i] = losses.get(i);
        }
        return c;
    }

    private void closeBar() {
        if (barOpen) {
            out.println();
            barOpen = false;
        }
    }
}
