package dev.kotune.gpt2;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a training run stands, everything needed to continue it exactly: optimizer step, data position (epoch index
 * and optimizer step within the epoch), dropout RNG position (micro-batches seen), the loss accumulators behind HF's
 * logging, FLOs and the log history. Saved as {@code trainer_state.json}. Mutable; owned by one {@link Trainer}.
 */
public final class TrainerState {

    /** Optimizer steps done, e.g. 20. */
    public long globalStep;
    /** Steps of the whole run, e.g. 20. */
    public long maxSteps;
    /** Epoch in progress (0-based), e.g. 3. */
    public int epochIndex;
    /** Optimizer steps already done within {@link #epochIndex}, e.g. 1. */
    public int updateInEpoch;
    /** HF's fractional epoch, e.g. 3.5. */
    public double epoch;
    /** Micro-batches processed: the dropout RNG's counter. */
    public long microSteps;
    /** Sum of step losses since the last log, float32 as HF's tensor accumulator. */
    public float trLoss;
    /** Sum of all logged step losses (HF's _total_loss_scalar). */
    public double totalLoss;
    /** Step of the last log, e.g. 10. */
    public long lastLoggedStep;
    /** HF's total_flos estimate so far. */
    public double totalFlos;
    /** The run's seed (data order and dropout), e.g. 42. */
    public long seed;
    /** Every log line so far. */
    public List<LogEntry> logHistory = new ArrayList<>();
}
