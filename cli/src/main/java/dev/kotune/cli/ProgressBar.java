package dev.kotune.cli;

import dev.kotune.proto.training.v1.TrainingEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;

/**
 * The text progress bar of {@code kotune jobs watch}: {@code [#####.....] 10/20  50% loss 2.5000 ETA 0:12}.
 * On a terminal the bar is redrawn in place with a carriage return; otherwise (a pipe, a file, CI logs) every
 * progress event is one plain line. Other events are printed as {@link JobsCommand#line} lines above the bar.
 * ETA: the steps still to run at the pace since training started (its {@code TrainingStarted}, else the first
 * progress event seen). Not thread-safe.
 */
final class ProgressBar {
    static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private Instant originTime;
    private long originStep;
    private int drawn; // characters of the bar currently on the terminal line (terminal mode)

    ProgressBar(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Shows one event of the watched job. */
    void accept(TrainingEvent e) {
        Instant at = TrainingEvents.instant(e.getOccurredAt());
        switch (e.getPayloadCase()) {
            case STARTED -> {
                originTime = at;
                originStep = e.getStarted().getResumedFromStep();
                line(JobsCommand.line(e));
            }
            case PROGRESS -> {
                var p = e.getProgress();
                if (originTime == null) {
                    originTime = at;
                    originStep = p.getStep();
                }
                bar(render(p.getStep(), p.getTotalSteps(), p.getLoss(), eta(p.getStep(), p.getTotalSteps(), at)));
            }
            default -> line(JobsCommand.line(e));
        }
    }

    /** Ends the bar's line, if one is open (terminal mode). */
    void finish() {
        if (terminal && drawn > 0) {
            out.println();
            drawn = 0;
        }
        out.flush();
    }

    private void line(String text) {
        if (terminal && drawn > 0) {
            out.print("\r" + " ".repeat(drawn) + "\r");
            drawn = 0;
        }
        out.println(text);
        out.flush();
    }

    private void bar(String text) {
        if (terminal) {
            String padded = drawn > text.length() ? text + " ".repeat(drawn - text.length()) : text;
            out.print("\r" + padded);
            drawn = text.length();
        } else {
            out.println(text);
        }
        out.flush();
    }

    private Duration eta(long step, long total, Instant at) {
        long done = step - originStep;
        if (originTime == null || done <= 0 || total <= step) {
            return total > 0 && step >= total ? Duration.ZERO : null;
        }
        long elapsedMs = Duration.between(originTime, at).toMillis();
        return Duration.ofMillis(Math.round((double) elapsedMs / done * (total - step)));
    }

    /** One bar, e.g. {@code [###############...............] 10/20  50% loss 2.5000 ETA 0:12}. */
    static String render(long step, long total, double loss, Duration eta) {
        double fraction = total > 0 ? Math.min(1.0, (double) step / total) : 0.0;
        int filled = (int) Math.round(fraction * WIDTH);
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + step + "/" + (total > 0 ? total : "?")
                + String.format(
                        java.util.Locale.ROOT,
                        " %3d%% loss %.4f ETA %s",
                        Math.round(fraction * 100),
                        loss,
                        eta == null ? "--:--" : clock(eta));
    }

    /** m:ss, or h:mm:ss from an hour on. */
    static String clock(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s >= 3600
                ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
