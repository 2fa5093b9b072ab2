package dev.kotune.cli;

import dev.kotune.checkpoint.CheckpointException;
import dev.kotune.export.ExportOptions;
import dev.kotune.export.ExportResult;
import dev.kotune.export.GraphFlavour;
import dev.kotune.export.OnnxExporter;
import dev.kotune.export.OnnxModelWriter;
import dev.kotune.export.WeightQuantization;
import dev.kotune.tokenization.KoTokenizer;
import dev.kotune.tokenization.TokenizationException;
import dev.kotune.tokenization.chat.ChatTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kotune export}: a GPT-2 checkpoint → an ONNX directory (model.onnx in Optimum's KV-cache layout, kotune.json,
 * genai_config.json, config and tokenizer files), written atomically, in Java.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Export a GPT-2 checkpoint (HF layout: config.json + model.safetensors or pytorch_model.bin) to ONNX.",
            "OUT gets model.onnx (input_ids, attention_mask, position_ids, past_key_values.{i}.key/value -> logits,"
                    + " present.{i}.key/value), kotune.json, genai_config.json (ONNX Runtime GenAI), config.json and the"
                    + " tokenizer files; it appears atomically and replaces an older export."
        })
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint directory.")
    Path checkpoint;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Export directory to create or replace.")
    Path out;

    @Option(
            names = "--flavour",
            paramLabel = "plain|fused|int8",
            defaultValue = "plain",
            description =
                    "Graph: 'plain' (standard opset-20 ops; the faster fp32 one on ONNX Runtime's CPU provider), 'fused'"
                            + " (com.microsoft MultiHeadAttention, SkipLayerNormalization, FastGelu) or 'int8' (plain with"
                            + " 8-bit block-quantized linear layers and LM head, com.microsoft MatMulNBits; logits drift, see"
                            + " docs/benchmarks.md). Default: ${DEFAULT-VALUE}.")
    String flavour;

    @Option(
            names = "--block-size",
            paramLabel = "N",
            description = "int8: input features per quantization scale, a power of two in [16, 256]. Default: 32.")
    Integer blockSize;

    @Option(
            names = "--accuracy-level",
            paramLabel = "0|4",
            description = "int8: MatMulNBits accuracy_level: 4 (int8 activations, int8 dot products: the fast one) or"
                    + " 0 (fp32 compute: ONNX Runtime dequantizes every weight on each call on x86, ~35x slower;"
                    + " for drift comparisons). Default: 4.")
    Integer accuracyLevel;

    @Option(names = "--fp32-lm-head", description = "int8: keep the LM head in fp32 (default: quantized too).")
    boolean fp32LmHead;

    @Option(
            names = "--tokenizer",
            paramLabel = "PATH",
            description = "tokenizer.json (or a directory with it) to ship; default: the checkpoint's tokenizer files.")
    Path tokenizer;

    @Option(names = "--job-id", paramLabel = "ID", description = "Training job id for the metadata.")
    String jobId;

    @Option(names = "--step", paramLabel = "N", description = "Optimizer step for the metadata.")
    Long step;

    @Option(
            names = "--chat-template-from-prompt",
            paramLabel = "TEMPLATE",
            description =
                    "Write the chat template of the training template the checkpoint was trained with (as given to"
                            + " train --template; EOS after each answer) into tokenizer_config.json, as the trainer does. Default: keep"
                            + " the tokenizer's own.")
    String chatTemplateFromPrompt;

    @Option(
            names = "--no-logits-to-keep",
            description =
                    "Leave out the logits_to_keep input (exactly Optimum's inputs, for ONNX Runtime GenAI, which feeds"
                            + " only the inputs it knows). Default: with it, so a prefill computes the LM head for the last position only.")
    boolean noLogitsToKeep;

    @Option(
            names = "--external-data-above",
            paramLabel = "BYTES",
            description =
                    "Move weights to model.onnx.data when they exceed BYTES. Default: 1900000000 (protobuf's 2 GB limit).")
    Long externalAbove;

    @Override
    public Integer call() {
        GraphFlavour f = parsedFlavour();
        ExportOptions opts = options(f, quantization(f));
        return export(opts);
    }

    /** {@code --flavour}, parsed. */
    private GraphFlavour parsedFlavour() {
        try {
            return GraphFlavour.parse(flavour);
        } catch (IllegalArgumentException e) {
            throw new UserException("--flavour: " + e.getMessage(), 2);
        }
    }

    /** The int8 options (refused with any other flavour) over {@link WeightQuantization#DEFAULT}. */
    private WeightQuantization quantization(GraphFlavour f) {
        WeightQuantization q = WeightQuantization.DEFAULT;
        if ((blockSize != null || accuracyLevel != null || fp32LmHead) && !f.quantized()) {
            throw new UserException("--block-size, --accuracy-level and --fp32-lm-head need --flavour int8", 2);
        }
        try {
            if (blockSize != null) {
                q = q.withBlockSize(blockSize);
            }
            if (accuracyLevel != null) {
                q = q.withAccuracyLevel(accuracyLevel);
            }
        } catch (IllegalArgumentException e) {
            throw new UserException(
                    (blockSize != null && e.getMessage().startsWith("block") ? "--block-size: " : "--accuracy-level: ")
                            + e.getMessage(),
                    2);
        }
        return q.withLmHead(!fp32LmHead);
    }

    private ExportOptions options(GraphFlavour f, WeightQuantization q) {
        ExportOptions opts = ExportOptions.of(checkpoint, out)
                .withFlavour(f)
                .withTokenizer(tokenizer)
                .withJob(jobId, step)
                .withExternalThreshold(
                        externalAbove != null ? externalAbove : OnnxModelWriter.DEFAULT_EXTERNAL_THRESHOLD)
                .withLogitsToKeep(!noLogitsToKeep)
                .withQuantization(q);
        if (chatTemplateFromPrompt != null) {
            opts = opts.withChatTemplate(chatTemplate(chatTemplateFromPrompt), specialTokens());
        }
        return opts;
    }

    /** Runs the export and prints its one-line result. */
    private int export(ExportOptions opts) {
        try {
            ExportResult r = OnnxExporter.export(opts);
            spec.commandLine()
                    .getOut()
                    .printf(
                            "exported %s (%s graph, %.1f MB%s, tokenizer sha256 %s)%n",
                            r.dir(),
                            r.flavour().id(),
                            r.bytes() / 1e6,
                            r.externalData() ? ", weights in model.onnx.data" : "",
                            r.tokenizerSha256() == null ? "none: no tokenizer shipped" : r.tokenizerSha256());
            return 0;
        } catch (CheckpointException e) {
            throw new UserException(e.getMessage(), 1);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage(), 2);
        } catch (IOException e) {
            throw new UserException("cannot export to " + out + ": " + e, 1);
        }
    }

    private static String chatTemplate(String promptTemplate) {
        try {
            return ChatTemplate.forPromptTemplate(promptTemplate);
        } catch (TokenizationException e) {
            throw new UserException("--chat-template-from-prompt: " + e.getMessage(), 2);
        }
    }

    /** The shipped tokenizer's special tokens under transformers' names (none when there is no tokenizer.json). */
    private java.util.Map<String, String> specialTokens() {
        Path t = tokenizer != null ? tokenizer : checkpoint.resolve("tokenizer.json");
        if (!Files.exists(t)) {
            return java.util.Map.of();
        }
        try (KoTokenizer loaded = KoTokenizer.load(t)) {
            return ChatTemplate.specialTokens(loaded.info());
        } catch (TokenizationException e) {
            throw new UserException("--tokenizer: " + e.getMessage(), 2);
        }
    }
}
