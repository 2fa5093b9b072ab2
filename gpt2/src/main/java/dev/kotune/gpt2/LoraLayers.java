package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;
import dev.kotune.checkpoint.LoraConfig;
import java.util.Map;

/**
 * The LoRA weights attached to a {@link Gpt2Model} and the one place they are applied: PEFT's {@code lora.Linear}
 * with {@code fan_in_fan_out} around a Conv1D, {@code y = x·W + b + (dropout(x)·Aᵀ)·Bᵀ · scaling}, in PEFT's order
 * ({@code result = result + lora_B(lora_A(dropout(x))) * scaling}). Not thread-safe (as the model).
 *
 * @param config  rank, alpha, dropout, targets
 * @param weights live {@code h.{i}.<module>.lora_A.weight} (r, in) / {@code lora_B.weight} (out, r) tensors
 */
record LoraLayers(LoraConfig config, Map<String, NDArray> weights) {

    /**
     * Conv1D {@code module} (e.g. {@code h.0.attn.c_attn}) on x (B, T, in) → (B, T, out), plus its LoRA path when
     * {@code lora} targets it. x itself is left open.
     */
    static NDArray conv1d(NDArray x, String module, Map<String, NDArray> p, LoraLayers lora, Dropout dropout) {
        NDArray y = Conv1D.apply(x, p.get(module + ".weight"), p.get(module + ".bias")); // (B, T, out)
        if (lora == null) {
            return y;
        }
        NDArray a = lora.weights.get(module + ".lora_A.weight");
        if (a == null) {
            return y;
        }
        NDArray b = lora.weights.get(module + ".lora_B.weight");
        NDArray xd = dropout.apply(x, lora.config.dropout()); // (B, T, in); x itself when off
        NDArray t = Torch.linear(xd, a); // (B, T, r)
        if (xd != x) {
            xd.close();
        }
        t = Temps.then(t, Torch.linear(t, b)); // (B, T, out)
        try (NDArray s = Torch.scalar(t, (float) lora.config.scaling())) { // libtorch-owned (see Torch.scalar)
            t = Temps.then(t, t.mul(s)); // (B, T, out)
        }
        NDArray out = y.add(t); // (B, T, out)
        Temps.close(y, t);
        return out;
    }
}
