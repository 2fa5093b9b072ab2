package dev.kotune.cli;

import dev.kotune.checkpoint.Checkpoint;
import dev.kotune.checkpoint.CheckpointException;
import dev.kotune.checkpoint.CheckpointWriter;
import dev.kotune.checkpoint.GPT2Config;
import dev.kotune.checkpoint.KotuneMetadata;
import dev.kotune.gpt2.DataOrder;
import dev.kotune.gpt2.Gpt2Model;
import dev.kotune.gpt2.StepEvent;
import dev.kotune.gpt2.Torch;
import dev.kotune.gpt2.TrainOutput;
import dev.kotune.gpt2.Trainer;
import dev.kotune.gpt2.TrainingArguments;
import dev.kotune.gpt2.TrainingExample;
import dev.kotune.tokenization.ExamplePreparer;
import dev.kotune.tokenization.KoTokenizer;
import dev.kotune.tokenization.Padding;
import dev.kotune.tokenization.PrepareOptions;
import dev.kotune.tokenization.PreparedBatch;
import dev.kotune.tokenization.PreparedExample;
import dev.kotune.tokenization.PromptTemplate;
import dev.kotune.tokenization.TextLimits;
import dev.kotune.tokenization.TokenizationException;
import dev.kotune.tokenization.TokenizerFiles;
import dev.kotune.tokenization.data.ExampleFormat;
import dev.kotune.tokenization.data.ExampleReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kotune train}: trains GPT-2 in this process with the {@code gpt2} library (DJL, libtorch on the CPU, HF
 * Trainer semantics), no Kafka: fine-tunes a checkpoint ({@code --base}) or pre-trains a randomly initialised model
 * ({@code --init-config}) on prompt/completion pairs from a CSV or JSONL file, formatted with the notebook's template
 * plus EOS, printing HF Trainer's log lines, and writes an HF checkpoint with {@code kotune.json}. The built-in base
 * model {@code models/kotune-tiny-ko} is made this way (its README has the exact command).
 *
 * <p>Rows are tokenized without padding and the trainer pads each batch to its longest row (labels -100, mask 0):
 * the same loss as padding to {@code max_length}, less compute.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train GPT-2 in-process (gpt2 library on DJL/libtorch, CPU; no Kafka) on prompt/completion pairs and write an "
                    + "HF checkpoint with kotune.json.",
            "--base fine-tunes a checkpoint; --init-config pre-trains a new random model from a config.json.",
        })
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Start start;

    static final class Start {
        @Option(
                names = "--base",
                paramLabel = "DIR",
                description =
                        "HF-layout checkpoint to fine-tune (config.json + model.safetensors or pytorch_model.bin).")
        Path base;

        @Option(
                names = "--init-config",
                paramLabel = "FILE",
                description = "config.json of a new GPT-2, randomly initialised (seeded by --seed) and pre-trained.")
        Path initConfig;
    }

    @Option(
            names = "--tokenizer",
            paramLabel = "FILE|DIR",
            description =
                    "tokenizer.json or a directory holding one. Default: --base DIR's tokenizer.json (required with "
                            + "--init-config).")
    Path tokenizer;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "FILE",
            description =
                    "Training pairs: CSV with a header row (columns from --csv-columns) or JSONL (*.jsonl or *.json, "
                            + "{\"prompt\", \"completion\"} per line).")
    Path data;

    @Option(
            names = "--csv-columns",
            split = ",",
            defaultValue = "Q,A",
            paramLabel = "PROMPT,COMPLETION",
            description = "CSV columns of the prompt and the completion. Default: ${DEFAULT-VALUE} (ChatbotData).")
    List<String> csvColumns;

    @Option(
            names = "--limit",
            defaultValue = "0",
            paramLabel = "N",
            description = "Use the first N pairs only; 0 = all. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(
            names = "--template",
            defaultValue = "질문: {prompt}\n답변:{completion}",
            paramLabel = "TEXT",
            description = "Text template; EOS is appended. Default: the notebook's.")
    String template;

    @Option(
            names = "--epochs",
            defaultValue = "20",
            paramLabel = "N",
            description = "num_train_epochs. Default: ${DEFAULT-VALUE} (the notebook's).")
    double epochs;

    @Option(
            names = "--max-steps",
            defaultValue = "0",
            paramLabel = "N",
            description = "Optimizer steps; > 0 overrides --epochs. Default: ${DEFAULT-VALUE}.")
    long maxSteps;

    @Option(
            names = "--lr",
            defaultValue = "3e-5",
            paramLabel = "X",
            description = "Peak learning rate (linear decay to 0). Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Option(
            names = "--warmup-steps",
            defaultValue = "0",
            paramLabel = "N",
            description = "Linear warmup steps. Default: ${DEFAULT-VALUE}.")
    long warmupSteps;

    @Option(
            names = "--weight-decay",
            defaultValue = "0.01",
            paramLabel = "X",
            description = "AdamW decoupled weight decay. Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(
            names = "--batch-size",
            defaultValue = "4",
            paramLabel = "N",
            description = "per_device_train_batch_size. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--max-length",
            defaultValue = "64",
            paramLabel = "N",
            description = "Tokens per example (longer ones are cut). Default: ${DEFAULT-VALUE}.")
    int maxLength;

    @Option(
            names = "--seed",
            defaultValue = "42",
            paramLabel = "S",
            description = "Data order, dropout and --init-config initialisation. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--logging-steps",
            defaultValue = "10",
            paramLabel = "N",
            description = "Print a log line every N steps. Default: ${DEFAULT-VALUE}.")
    int loggingSteps;

    @Option(
            names = "--group-by-length",
            description =
                    "HF's group_by_length: within each shuffled mega-batch of 50 batches, order rows by length so a "
                            + "batch pads less (same examples per epoch, less compute).")
    boolean groupByLength;

    @Option(
            names = "--dropout",
            paramLabel = "P",
            description = "Dropout probability while training (embd/attn/resid); the saved config keeps its own. "
                    + "Default: the config's.")
    Double dropout;

    @Option(
            names = "--threads",
            defaultValue = "0",
            paramLabel = "N",
            description = "libtorch intra-op threads; 0 = libtorch's default. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = "--save-training-state",
            description =
                    "Also write the optimizer state, trainer_state.json and rng_state.json (resumable checkpoint).")
    boolean saveTrainingState;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Checkpoint directory to write (replaced atomically).")
    Path out;

    @Override
    public Integer call() throws Exception {
        checkFlags();
        PrintWriter o = spec.commandLine().getOut();
        if (threads > 0) {
            Torch.configureThreads(threads);
        }
        Checkpoint base = start.base != null ? readBase(start.base) : null;
        GPT2Config config = base != null ? base.config() : readConfig(start.initConfig);
        Path tokenizerJson = tokenizerJson();
        Path modelConfigFile = base != null ? start.base.resolve(Checkpoint.CONFIG) : start.initConfig;
        try (KoTokenizer tok = loadTokenizer(tokenizerJson, modelConfigFile)) {
            checkTokenizerFits(tok, tokenizerJson, config, base);
            List<TrainingExample> rows = readAndPrepare(o, tok);
            GPT2Config trainConfig = dropout != null ? config.withDropout(dropout) : config;
            try (Gpt2Model model = base != null
                    ? Gpt2Model.fromStateDict(trainConfig, base.weights())
                    : Gpt2Model.random(trainConfig, seed)) {
                base = null; // the weights live in the engine now
                printSetup(o, model, config, trainConfig);
                Trainer trainer = new Trainer(model, trainingArguments(), dataOrder(rows));
                TrainOutput result = train(o, trainer, rows);
                write(o, model, trainer, config, tok, tokenizerJson, result);
            }
        }
        return 0;
    }

    /** The tokenizer must fit the model's vocabulary and be the one a base checkpoint was trained with. */
    private void checkTokenizerFits(KoTokenizer tok, Path tokenizerJson, GPT2Config config, Checkpoint base) {
        if (tok.info().vocabSize() > config.vocabSize()) {
            throw new UserException("tokenizer " + tokenizerJson + " has "
                    + tok.info().vocabSize() + " ids but the model's vocab_size is " + config.vocabSize());
        }
        String trainedWith =
                base != null && base.metadata() != null ? base.metadata().tokenizerSha256() : null;
        if (trainedWith != null && !trainedWith.equalsIgnoreCase(tok.info().sha256())) {
            throw new UserException("tokenizer " + tokenizerJson + " is not the one " + start.base
                    + " was trained with (kotune.json tokenizer_sha256 " + trainedWith + ")");
        }
    }

    /** --data read and prepared as the notebook does; prints what was read, skipped and cut. */
    private List<TrainingExample> readAndPrepare(PrintWriter o, KoTokenizer tok) {
        ExampleReader.Loaded loaded = readData();
        List<TrainingExample> rows = new ArrayList<>(loaded.examples().size());
        int truncated = prepare(tok, loaded, rows);
        o.printf(
                Locale.ROOT,
                "data: %,d pairs from %s (%d skipped as blank or malformed, %d cut to %d tokens), %,d tokens%n",
                rows.size(),
                data,
                loaded.skipped(),
                truncated,
                maxLength,
                rows.stream().mapToLong(r -> r.inputIds().length).sum());
        return rows;
    }

    private TrainingArguments trainingArguments() {
        return new TrainingArguments(
                batchSize,
                1,
                epochs,
                maxSteps > 0 ? maxSteps : -1,
                learningRate,
                weightDecay,
                warmupSteps,
                0.9,
                0.999,
                1e-8,
                1.0,
                loggingSteps,
                seed);
    }

    /** The seeded shuffle, grouped by length with --group-by-length. */
    private DataOrder dataOrder(List<TrainingExample> rows) {
        DataOrder order = DataOrder.seededShuffle(seed);
        return groupByLength ? groupedByLength(order, rows, batchSize) : order;
    }

    /** The model and training lines. */
    private void printSetup(PrintWriter o, Gpt2Model model, GPT2Config config, GPT2Config trainConfig) {
        long parameters =
                model.parameters().values().stream().mapToLong(a -> a.size()).sum();
        o.printf(
                Locale.ROOT,
                "model: %s, %,d parameters (vocab %d, n_positions %d, n_embd %d, n_layer %d, "
                        + "n_head %d), dropout %.2f; libtorch %d threads%n",
                start.base != null ? start.base : "random init from " + start.initConfig + " (seed " + seed + ")",
                parameters,
                config.vocabSize(),
                config.nPositions(),
                config.nEmbd(),
                config.nLayer(),
                config.nHead(),
                trainConfig.residPdrop(),
                Torch.intraOpThreads());
        o.printf(
                Locale.ROOT,
                "train: %s, batch %d, lr %s (warmup %d, linear decay), weight decay %s, seed %d%n",
                maxSteps > 0 ? "max_steps " + maxSteps : fmt(epochs) + " epochs",
                batchSize,
                fmt(learningRate),
                warmupSteps,
                fmt(weightDecay),
                seed);
        o.flush();
    }

    /** Trains, printing HF's log lines; stops and fails on the first non-finite loss or gradient norm. */
    private TrainOutput train(PrintWriter o, Trainer trainer, List<TrainingExample> rows) {
        StepEvent[] diverged = new StepEvent[1];
        TrainOutput result = trainer.train(
                rows,
                e -> {
                    if (e.log() != null) {
                        o.println(e.log().toHfLine());
                        o.flush();
                    }
                    if (diverged[0] == null && (!Double.isFinite(e.loss()) || !Double.isFinite(e.gradNorm()))) {
                        diverged[0] = e;
                    }
                },
                () -> diverged[0] != null);
        if (diverged[0] != null) {
            throw new UserException(String.format(
                    Locale.ROOT,
                    "training diverged at step %d (loss %s, grad_norm %s, lr %.3g); nothing written to %s: lower --lr",
                    diverged[0].step(),
                    diverged[0].loss(),
                    diverged[0].gradNorm(),
                    diverged[0].learningRate(),
                    out));
        }
        o.println(result.toHfLine());
        return result;
    }

    /** Writes the checkpoint (with the training state under --save-training-state) and prints its sha256. */
    private void write(
            PrintWriter o,
            Gpt2Model model,
            Trainer trainer,
            GPT2Config config,
            KoTokenizer tok,
            Path tokenizerJson,
            TrainOutput result)
            throws IOException {
        String source = start.base != null
                ? start.base.toAbsolutePath().normalize().toString()
                : "random init (" + start.initConfig.getFileName() + ", seed " + seed + ")";
        KotuneMetadata md =
                KotuneMetadata.of(config, tok.info().sha256(), source, null, result.globalStep(), metrics(result));
        List<Path> tokenizerFiles = tokenizerFiles(tokenizerJson);
        Path written;
        try {
            written = saveTrainingState
                    ? trainer.saveCheckpoint(out, md, tokenizerFiles)
                    : CheckpointWriter.to(out)
                            .config(config)
                            .weights(model.stateDict())
                            .tokenizerFiles(tokenizerFiles)
                            .metadata(md)
                            .write();
        } catch (IOException e) {
            throw new UserException("cannot write " + out + ": " + e);
        }
        o.printf("wrote %s (model.safetensors sha256 %s)%n", written, sha256(written.resolve(Checkpoint.SAFETENSORS)));
    }

    /** HF Trainer's closing metrics, as kotune.json keeps them. */
    private static Map<String, Double> metrics(TrainOutput result) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train_loss", result.trainingLoss());
        metrics.put("train_runtime", result.trainRuntime());
        metrics.put("train_samples_per_second", result.trainSamplesPerSecond());
        metrics.put("train_steps_per_second", result.trainStepsPerSecond());
        metrics.put("total_flos", result.totalFlos());
        metrics.put("epoch", result.epoch());
        return metrics;
    }

    private void checkFlags() {
        List<String> bad = new ArrayList<>();
        if (batchSize < 1) {
            bad.add("--batch-size must be >= 1, got " + batchSize);
        }
        if (maxLength < 2) {
            bad.add("--max-length must be >= 2, got " + maxLength);
        }
        if (!(learningRate > 0) || learningRate > 1) {
            bad.add("--lr must be in (0, 1], got " + learningRate);
        }
        if (maxSteps <= 0 && !(epochs > 0)) {
            bad.add("--epochs must be > 0 (or give --max-steps), got " + epochs);
        }
        if (loggingSteps < 1) {
            bad.add("--logging-steps must be >= 1, got " + loggingSteps);
        }
        if (dropout != null && (dropout < 0 || dropout >= 1)) {
            bad.add("--dropout must be in [0, 1), got " + dropout);
        }
        if (csvColumns.size() != 2) {
            bad.add("--csv-columns takes two names, PROMPT,COMPLETION, got " + csvColumns);
        }
        if (start.initConfig != null && tokenizer == null) {
            bad.add("--init-config needs --tokenizer (e.g. models/kotune-ko-bpe-8k/tokenizer.json)");
        }
        if (!bad.isEmpty()) {
            throw new ParameterException(spec.commandLine(), String.join("; ", bad));
        }
    }

    private static Checkpoint readBase(Path dir) {
        try {
            return Checkpoint.read(dir);
        } catch (CheckpointException e) {
            throw new UserException("--base " + dir + ": " + e.getMessage());
        }
    }

    private static GPT2Config readConfig(Path file) {
        try {
            return GPT2Config.read(file);
        } catch (CheckpointException e) {
            throw new UserException("--init-config " + file + ": " + e.getMessage());
        }
    }

    private Path tokenizerJson() {
        Path t = tokenizer != null ? tokenizer : start.base;
        if (Files.isDirectory(t)) {
            t = t.resolve("tokenizer.json");
        }
        if (!Files.isRegularFile(t)) {
            throw new UserException("no tokenizer at " + t + (tokenizer == null ? " (give --tokenizer)" : ""));
        }
        return t;
    }

    /** tokenizer.json with its tokenizer_config.json / special_tokens_map.json siblings, the model's config.json. */
    private static KoTokenizer loadTokenizer(Path json, Path modelConfig) {
        try {
            return KoTokenizer.load(
                    new TokenizerFiles(
                            json,
                            sibling(json, "tokenizer_config.json"),
                            sibling(json, "special_tokens_map.json"),
                            Optional.of(modelConfig)),
                    json.toString());
        } catch (TokenizationException | java.io.UncheckedIOException e) {
            throw new UserException("cannot load tokenizer " + json + ": " + e.getMessage());
        }
    }

    private static List<Path> tokenizerFiles(Path json) {
        List<Path> files = new ArrayList<>(List.of(json));
        sibling(json, "tokenizer_config.json").ifPresent(files::add);
        sibling(json, "special_tokens_map.json").ifPresent(files::add);
        return files;
    }

    private static Optional<Path> sibling(Path json, String name) {
        if (!json.getFileName().toString().equals("tokenizer.json")) {
            return Optional.empty();
        }
        Path p = json.resolveSibling(name);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    private ExampleReader.Loaded readData() {
        ExampleReader.Loaded loaded;
        try {
            loaded = new ExampleReader()
                    .read(data, ExampleFormat.ofFileName(data), csvColumns.get(0), csvColumns.get(1), limit);
        } catch (IOException e) {
            throw new UserException("cannot read --data " + data + ": " + e.getMessage());
        }
        if (loaded.examples().isEmpty()) {
            throw new UserException("--data " + data + " has no usable pairs"
                    + (loaded.problems().isEmpty() ? "" : ": " + String.join("; ", loaded.problems())));
        }
        return loaded;
    }

    /** Notebook preprocessing without padding (the trainer pads per batch); returns how many rows were cut. */
    private int prepare(KoTokenizer tok, ExampleReader.Loaded loaded, List<TrainingExample> rows) {
        ExamplePreparer preparer = new ExamplePreparer(tok, TextLimits.DEFAULT);
        PrepareOptions options;
        try {
            options = new PrepareOptions(new PromptTemplate(template), true, maxLength, Padding.NONE, false);
        } catch (TokenizationException e) {
            throw new ParameterException(spec.commandLine(), "--template: " + e.getMessage());
        }
        int truncated = 0;
        List<dev.kotune.tokenization.Example> all = loaded.examples();
        int chunk = TextLimits.DEFAULT.maxBatch();
        try {
            for (int from = 0; from < all.size(); from += chunk) {
                PreparedBatch batch = preparer.prepare(all.subList(from, Math.min(from + chunk, all.size())), options);
                truncated += batch.truncatedCount();
                for (PreparedExample p : batch.examples()) {
                    rows.add(TrainingExample.of(p.inputIds(), p.attentionMask(), p.labels()));
                }
            }
        } catch (TokenizationException e) {
            throw new UserException("cannot prepare the examples: " + e.getMessage());
        }
        return truncated;
    }

    /**
     * HF's {@code LengthGroupedSampler} idea on top of {@code base}: the epoch's shuffled order is cut into mega-batches
     * of 50 batches, each sorted by row length, longest first (stable), so rows of similar length share a batch.
     */
    static DataOrder groupedByLength(DataOrder base, List<TrainingExample> rows, int batch) {
        int[] lengths = rows.stream().mapToInt(r -> r.inputIds().length).toArray();
        return (epoch, size) -> {
            int[] perm = base.epoch(epoch, size);
            int mega = 50 * batch;
            for (int from = 0; from < size; from += mega) {
                int to = Math.min(from + mega, size);
                Integer[] part = new Integer[to - from];
                for (int i = from; i < to; i++) {
                    part[i - from] = perm[i];
                }
                java.util.Arrays.sort(part, (a, b) -> Integer.compare(lengths[b], lengths[a]));
                for (int i = from; i < to; i++) {
                    perm[i] = part[i - from];
                }
            }
            return perm;
        };
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
