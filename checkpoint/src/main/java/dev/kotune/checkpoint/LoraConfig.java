package dev.kotune.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A LoRA adapter's shape, as HF PEFT's {@code LoraConfig} describes it for GPT-2: every targeted Conv1D {@code W}
 * (in, out) gets {@code A} (r, in) and {@code B} (out, r), and computes {@code x·W + b + scaling · B(A(dropout(x)))}.
 * Targets follow PEFT's matching rule on the module names {@code h.{i}.attn.c_attn}, {@code h.{i}.attn.c_proj},
 * {@code h.{i}.mlp.c_fc}, {@code h.{i}.mlp.c_proj}: a target matches a module named exactly so or ending in
 * {@code "." + target}, so {@code c_proj} covers both the attention and the MLP projection and {@code attn.c_proj}
 * only the first. Immutable, thread-safe.
 *
 * @param r              rank, e.g. 8; [1, {@value #MAX_R}]
 * @param alpha          lora_alpha, e.g. 16; scaling = alpha / r (alpha / √r with {@code useRslora}); (0, 1e6]
 * @param dropout        dropout on the input of the A path while training, e.g. 0.05; [0, 1)
 * @param targetModules  e.g. [c_attn, c_proj, c_fc]; non-empty, each matching at least one GPT-2 Conv1D
 * @param useRslora      PEFT's rank-stabilised scaling (false by default)
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targetModules, boolean useRslora) {

    public static final int MAX_R = 1024;
    public static final List<String> DEFAULT_TARGETS = List.of("c_attn", "c_proj", "c_fc");
    /** The Conv1D layers of one GPT-2 block, as module names relative to {@code h.{i}.}. */
    public static final List<String> CONV1D_MODULES = List.of("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj");

    public LoraConfig {
        List<String> problems = new ArrayList<>();
        if (r < 1 || r > MAX_R) {
            problems.add("r must be in [1, " + MAX_R + "], got " + r);
        }
        if (!(alpha > 0 && alpha <= 1e6)) {
            problems.add("alpha must be in (0, 1e6], got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            problems.add("dropout must be in [0, 1), got " + dropout);
        }
        if (targetModules == null || targetModules.isEmpty()) {
            problems.add("target_modules must name at least one of " + CONV1D_MODULES + " (or a suffix: c_attn, "
                    + "c_proj, c_fc)");
        } else {
            for (String t : targetModules) {
                if (t == null || !matchesAnyConv1D(t)) {
                    problems.add("target_modules entry " + (t == null ? "null" : "'" + t + "'")
                            + " matches no GPT-2 Conv1D; allowed: c_attn, c_proj, c_fc, attn.c_attn, attn.c_proj, "
                            + "mlp.c_fc, mlp.c_proj (optionally prefixed h.{i}. or transformer.h.{i}.)");
                }
            }
            targetModules = List.copyOf(new LinkedHashSet<>(targetModules));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid LoRA config: " + String.join("; ", problems));
        }
    }

    /** r = 8, alpha = 16, dropout 0 (PEFT's default), targets c_attn, c_proj, c_fc. */
    public static LoraConfig defaults() {
        return new LoraConfig(8, 16, 0.0, DEFAULT_TARGETS, false);
    }

    public static LoraConfig of(int r, double alpha, double dropout, List<String> targetModules) {
        return new LoraConfig(r, alpha, dropout, targetModules, false);
    }

    /** PEFT's scaling: alpha / r, or alpha / √r with rsLoRA. */
    public double scaling() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    /** PEFT's rule: {@code module} (e.g. {@code h.0.attn.c_proj}) is targeted when it equals or ends with ".t". */
    public boolean targets(String module) {
        String full = Gpt2Weights.PREFIX + module;
        for (String t : targetModules) {
            if (full.equals(t) || module.equals(t) || full.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }

    /** The targeted modules of a model with {@code nLayer} blocks, in HF's module order ({@code h.0.attn.c_attn}...). */
    public List<String> targetedModules(int nLayer) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nLayer; i++) {
            for (String m : CONV1D_MODULES) {
                String name = "h." + i + "." + m;
                if (targets(name)) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    private static boolean matchesAnyConv1D(String t) {
        Set<String> suffixes =
                Set.of("c_attn", "c_proj", "c_fc", "attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj");
        return suffixes.contains(t)
                || t.matches("(transformer\\.)?h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp" + "\\.c_proj)");
    }
}
