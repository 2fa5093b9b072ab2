package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;
import dev.kotune.checkpoint.GPT2Config;
import java.util.Map;

/** GPT-2 MLP of block {@code layer}: c_fc (C, I) → gelu_new → c_proj (I, C) → dropout. Stateless, thread-safe. */
final class Mlp {

    private Mlp() {}

    /** x: ln_2 output (B, T, C) → (B, T, C). */
    static NDArray forward(NDArray x, int layer, Map<String, NDArray> p, GPT2Config c, Dropout dropout) {
        String h = "h." + layer + ".mlp.";
        NDArray a = Conv1D.apply(x, p.get(h + "c_fc.weight"), p.get(h + "c_fc.bias")); // (B, T, I)
        a = Temps.then(a, GeluNew.apply(a)); // (B, T, I)
        a = Temps.then(a, Conv1D.apply(a, p.get(h + "c_proj.weight"), p.get(h + "c_proj.bias"))); // (B, T, C)
        return Temps.then(a, dropout.apply(a, c.residPdrop())); // (B, T, C)
    }
}
