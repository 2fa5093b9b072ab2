package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;
import dev.kotune.checkpoint.GPT2Config;
import java.util.Map;

/** GPT-2 MLP of block {@code layer}: c_fc (C, I) → gelu_new → c_proj (I, C) → dropout. Stateless, thread-safe. */
final class Mlp {

    private Mlp() {}

    /** x: ln_2 output (B, T, C) → (B, T, C). */
    static NDArray forward(
            NDArray x, int layer, Map<String, NDArray> p, LoraLayers lora, GPT2Config c, Dropout dropout) {
        String h = "h." + layer + ".mlp.";
        NDArray a = LoraLayers.conv1d(x, h + "c_fc", p, lora, dropout); // (B, T, I)
        a = Temps.then(a, GeluNew.apply(a)); // (B, T, I)
        a = Temps.then(a, LoraLayers.conv1d(a, h + "c_proj", p, lora, dropout)); // (B, T, C)
        return Temps.then(a, dropout.apply(a, c.residPdrop())); // (B, T, C)
    }
}
