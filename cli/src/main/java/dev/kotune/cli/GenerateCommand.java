package dev.kotune.cli;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.engine.EngineOptions;
import dev.kotune.engine.ExecutionProvider;
import dev.kotune.engine.GenerationResult;
import dev.kotune.engine.HfGenerationConfig;
import dev.kotune.engine.InvalidParamsException;
import dev.kotune.engine.OnnxModel;
import dev.kotune.engine.ParamProblem;
import dev.kotune.engine.SamplingParams;
import dev.kotune.engine.TokenListener;
import dev.kotune.engine.text.Detokenizer;
import dev.kotune.tokenization.KoTokenizer;
import dev.kotune.tokenization.TokenizationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kotune generate}: runs the generation engine on an exported ONNX directory in-process. Settings start from
 * the model's generation_config.json (as HF's generate() does) and the flags override them. Prints the continuation
 * as it is generated, or with {@code --json} {@code {"ids":[...],"text":"...","finish_reason":"..."}}.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Generate a continuation with an exported model (./kotune export), HF generate() semantics.",
            "Without --json the text streams to stdout as it is generated (only whole characters)."
        })
final class GenerateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Exported ONNX directory.")
    Path model;

    @ArgGroup(multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text (needs a tokenizer).")
        String prompt;

        @Option(names = "--ids", paramLabel = "1,2,3", split = ",", description = "Prompt token ids.")
        int[] ids;
    }

    @Option(
            names = "--tokenizer",
            paramLabel = "PATH",
            description = "tokenizer.json or a directory with it; default: the one in --model.")
    Path tokenizer;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "New tokens (default: the model's max_length).")
    Integer maxNewTokens;

    @Option(names = "--min-new-tokens", paramLabel = "N", description = "New tokens before EOS may be chosen.")
    Integer minNewTokens;

    @Option(names = "--do-sample", description = "Sample (temperature, top-k, top-p) instead of greedy argmax.")
    boolean doSample;

    @Option(names = "--temperature", paramLabel = "T", description = "(0, inf), sampling only; default 1.")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = ">= 0 (0 disables), sampling only; default 50.")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "(0, 1], sampling only; default 1.")
    Double topP;

    @Option(names = "--repetition-penalty", paramLabel = "R", description = "(0, inf), 1 disables.")
    Double repetitionPenalty;

    @Option(names = "--no-repeat-ngram-size", paramLabel = "N", description = ">= 0, 0 disables.")
    Integer noRepeatNgramSize;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the text contains TEXT (repeatable).")
    List<String> stop;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "Reproducible sampling within kotune (not the same draws as torch).")
    Long seed;

    @Option(names = "--json", description = "Print {\"ids\":[...],\"text\":\"...\",\"finish_reason\":\"...\"}.")
    boolean json;

    @Option(
            names = "--provider",
            paramLabel = "cpu|cuda|auto",
            defaultValue = "cpu",
            description = "Execution provider; cuda falls back to cpu with a warning. Default: ${DEFAULT-VALUE}.")
    String provider;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "Intra-op threads (0: one per physical core). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Override
    public Integer call() {
        requireOnnxModel();
        KoTokenizer tok = null;
        try {
            tok = loadTokenizer();
            int[] prompt = input.ids != null ? input.ids : tok.encodeIds(input.prompt);
            SamplingParams config = config();
            EngineOptions engine =
                    EngineOptions.defaults().withProvider(parseProvider()).withThreads(threads, 0);
            KoTokenizer t = tok;
            Detokenizer detok = t == null ? null : ids -> t.decode(ids, true);
            PrintWriter out = spec.commandLine().getOut();
            try (OnnxModel m = OnnxModel.load(model, engine)) {
                GenerationResult r = m.generate(
                                List.of(prompt), config, detok, json || detok == null ? null : printing(out))
                        .get(0);
                print(out, r, detok != null);
            }
            return 0;
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage(), 2);
        } catch (TokenizationException e) {
            throw new UserException(e.getMessage(), 1);
        } catch (IOException | OrtException e) {
            throw new UserException("cannot generate with " + model + ": " + e.getMessage(), 1);
        } finally {
            if (tok != null) {
                tok.close();
            }
        }
    }

    /** --model must be an export (model.onnx); a checkpoint gets the export command as a hint. */
    private void requireOnnxModel() {
        if (!Files.isRegularFile(model.resolve("model.onnx"))) {
            String hint = Files.isRegularFile(model.resolve("config.json"))
                    ? "; it looks like a checkpoint: export it first with ./kotune export --checkpoint " + model
                            + " --out DIR"
                    : "";
            throw new UserException("no model.onnx in " + model + hint, 2);
        }
    }

    /** Prints each token's text as it is generated. */
    private static TokenListener printing(PrintWriter out) {
        return new TokenListener() {
            @Override
            public void onToken(int row, int tokenId, String textDelta) {
                out.print(textDelta);
                out.flush();
            }

            @Override
            public void onFinish(int row, dev.kotune.engine.FinishReason reason, String textDelta) {
                out.print(textDelta);
                out.flush();
            }
        };
    }

    /** The result: one JSON object with --json, the ids without a tokenizer, else the newline after the stream. */
    private void print(PrintWriter out, GenerationResult r, boolean streamed) throws IOException {
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.set("ids", JSON.valueToTree(r.tokenIds()));
            if (r.text() == null) {
                o.putNull("text");
            } else {
                o.put("text", r.text());
            }
            o.put("finish_reason", r.finishReason().id());
            out.println(JSON.writeValueAsString(o));
        } else if (!streamed) {
            out.println(String.join(
                    " ", Arrays.stream(r.tokenIds()).mapToObj(Integer::toString).toList()));
        } else {
            out.println();
        }
    }

    private KoTokenizer loadTokenizer() {
        Path path = tokenizer != null ? tokenizer : model.resolve("tokenizer.json");
        if (!Files.exists(path)) {
            if (input.prompt != null) {
                throw new UserException(
                        "--prompt needs a tokenizer but " + model + " has no tokenizer.json; pass --tokenizer"
                                + " FILE or use --ids",
                        2);
            }
            return null; // ids in, ids out
        }
        return KoTokenizer.load(path);
    }

    private ExecutionProvider parseProvider() {
        try {
            return ExecutionProvider.parse(provider);
        } catch (IllegalArgumentException e) {
            throw new UserException("--provider: " + e.getMessage(), 2);
        }
    }

    /** The flags on the engine's generation contract over the model's generation_config.json (unset = not given). */
    private SamplingParams config() throws IOException {
        SamplingParams.Builder b = HfGenerationConfig.defaultsFor(model)
                .maxNewTokens(maxNewTokens)
                .minNewTokens(minNewTokens)
                .temperature(temperature)
                .topK(topK)
                .topP(topP)
                .repetitionPenalty(repetitionPenalty)
                .noRepeatNgramSize(noRepeatNgramSize)
                .stopStrings(stop)
                .seed(seed);
        if (doSample) {
            b.doSample(true);
        }
        try {
            return b.build();
        } catch (InvalidParamsException e) {
            throw new UserException(
                    e.problems(f -> "--" + f.replace('_', '-')).stream()
                            .map(ParamProblem::toString)
                            .collect(java.util.stream.Collectors.joining("; ")),
                    2);
        }
    }
}
