package dev.kotune.engine.process;

/** Sets scores to {@code -inf}. Stateless. */
final class BanTokens {

    private BanTokens() {}

    static void ban(float[] logits, int[] ids) {
        for (int id : ids) {
            if (id >= 0 && id < logits.length) {
                logits[id] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
