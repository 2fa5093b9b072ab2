package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;
import dev.kotune.checkpoint.GPT2Config;
import java.util.Map;

/** Pre-LN transformer block: {@code h = x + attn(ln_1(x)); out = h + mlp(ln_2(h))}. Stateless, thread-safe. */
final class Block {

    private Block() {}

    /** x (B, T, C), bias (B, 1, T, T) → (B, T, C). */
    static NDArray forward(
            NDArray x,
            NDArray bias,
            int layer,
            Map<String, NDArray> p,
            LoraLayers lora,
            GPT2Config c,
            Dropout dropout) {
        String h = "h." + layer + ".";
        float eps = (float) c.layerNormEpsilon();
        NDArray a = LayerNorm.apply(x, p.get(h + "ln_1.weight"), p.get(h + "ln_1.bias"), eps); // (B, T, C)
        NDArray att = Attention.forward(a, bias, layer, p, lora, c, dropout); // (B, T, C)
        a.close();
        NDArray r = x.add(att); // (B, T, C)
        att.close();
        NDArray m = LayerNorm.apply(r, p.get(h + "ln_2.weight"), p.get(h + "ln_2.bias"), eps); // (B, T, C)
        NDArray mlp = Mlp.forward(m, layer, p, lora, c, dropout); // (B, T, C)
        m.close();
        NDArray out = r.add(mlp); // (B, T, C)
        Temps.close(r, mlp);
        return out;
    }
}
