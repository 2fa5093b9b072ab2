package dev.kotune.gpt2;

/** Receives progress from {@link Trainer#train}; called on the training thread. */
@FunctionalInterface
public interface TrainerListener {

    void onStep(StepEvent event);

    static TrainerListener none() {
        return e -> {};
    }
}
