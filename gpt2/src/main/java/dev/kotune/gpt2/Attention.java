package dev.kotune.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.kotune.checkpoint.GPT2Config;
import java.util.Map;

/**
 * GPT-2 causal self-attention of block {@code layer}: Conv1D {@code c_attn} (C, 3C) split into Q|K|V, scores
 * divided by √head_size (and by layer+1 when {@code scale_attn_by_inverse_layer_idx}), an additive mask bias (0 or the
 * float minimum, causal and padding combined), softmax, attention dropout, Conv1D {@code c_proj}, residual dropout.
 * Stateless, thread-safe.
 */
final class Attention {

    private Attention() {}

    /**
     * @param x    ln_1 output (B, T, C)
     * @param bias mask bias (B, 1, T, T)
     */
    static NDArray forward(
            NDArray x,
            NDArray bias,
            int layer,
            Map<String, NDArray> p,
            LoraLayers lora,
            GPT2Config c,
            Dropout dropout) {
        String h = "h." + layer + ".attn.";
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int nH = c.nHead();
        int hs = c.headSize();
        NDArray qkv = LoraLayers.conv1d(x, h + "c_attn", p, lora, dropout); // (B, T, 3C)
        NDList split = qkv.split(3, 2); // 3 × (B, T, C)
        qkv.close();
        NDArray q = heads(split.get(0), b, t, nH, hs, 0, 2, 1, 3); // (B, nH, T, hs)
        NDArray k = heads(split.get(1), b, t, nH, hs, 0, 2, 3, 1); // (B, nH, hs, T)
        NDArray v = heads(split.get(2), b, t, nH, hs, 0, 2, 1, 3); // (B, nH, T, hs)
        NDArray scores = q.matMul(k); // (B, nH, T, T)
        Temps.close(q, k);
        if (c.scaleAttnWeights()) {
            try (NDArray d = Torch.scalar(scores, (float) Math.sqrt(hs))) { // libtorch-owned (see Torch.scalar)
                scores = Temps.then(scores, scores.div(d)); // (B, nH, T, T)
            }
        }
        if (c.scaleAttnByInverseLayerIdx()) {
            try (NDArray d = Torch.scalar(scores, (float) (layer + 1))) {
                scores = Temps.then(scores, scores.div(d)); // (B, nH, T, T)
            }
        }
        scores = Temps.then(scores, scores.add(bias)); // (B, nH, T, T)
        NDArray probs = Temps.then(scores, scores.softmax(-1)); // (B, nH, T, T)
        probs = Temps.then(probs, dropout.apply(probs, c.attnPdrop())); // (B, nH, T, T)
        NDArray y = probs.matMul(v); // (B, nH, T, hs)
        Temps.close(probs, v);
        y = Temps.then(y, y.transpose(0, 2, 1, 3)); // (B, T, nH, hs)
        y = Temps.then(y, y.reshape(b, t, (long) nH * hs)); // (B, T, C)
        y = Temps.then(y, LoraLayers.conv1d(y, h + "c_proj", p, lora, dropout)); // (B, T, C)
        return Temps.then(y, dropout.apply(y, c.residPdrop())); // (B, T, C)
    }

    /** (B, T, C) → (B, T, nH, hs) permuted by {@code axes}; closes the input. */
    private static NDArray heads(NDArray part, long b, long t, int nH, int hs, int... axes) {
        NDArray r = part.reshape(b, t, nH, hs); // (B, T, nH, hs)
        part.close();
        return Temps.then(r, r.transpose(axes));
    }
}
