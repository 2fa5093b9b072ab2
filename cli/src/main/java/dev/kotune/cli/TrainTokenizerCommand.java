package dev.kotune.cli;

import dev.kotune.tokenization.train.BpeTrainerOptions;
import dev.kotune.tokenization.train.CorpusSource;
import dev.kotune.tokenization.train.KoGpt2Conventions;
import dev.kotune.tokenization.train.TokenizerTraining;
import dev.kotune.tokenization.train.TrainedTokenizer;
import dev.kotune.tokenization.train.TrainingStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kotune train-tokenizer}: trains a Korean BPE tokenizer with KoGPT2's pipeline (NFKC, Metaspace, its seven
 * special tokens at ids 0..6) on text and CSV files, in Java, and writes {@code tokenizer.json} and
 * {@code tokenizer_config.json}. The same inputs and flags always write the same bytes; the repository's built-in
 * tokenizer ({@code models/kotune-ko-bpe-8k}) is made this way (its README has the exact command).
 */
@Command(
        name = "train-tokenizer",
        mixinStandardHelpOptions = true,
        description = {
            "Train a Korean BPE tokenizer (KoGPT2's pipeline and special tokens) and write tokenizer.json and "
                    + "tokenizer_config.json.",
            "Text files: one sequence per line. CSV files (*.csv): the cells of the --csv-columns columns.",
        })
final class TrainTokenizerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--input",
            arity = "1..*",
            required = true,
            paramLabel = "FILE",
            description = "Training files: text (a sequence per line) or CSV (*.csv, with a header row).")
    List<Path> inputs = new ArrayList<>();

    @Option(
            names = "--csv-columns",
            split = ",",
            paramLabel = "COLUMN",
            description = "Header names of the CSV columns to read, e.g. Q,A. Required when an input is a CSV file.")
    List<String> csvColumns = new ArrayList<>();

    @Option(
            names = "--vocab-size",
            required = true,
            paramLabel = "N",
            description = "Vocabulary size, the 7 special tokens and the alphabet included, e.g. 8000.")
    int vocabSize;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description =
                    "Directory for tokenizer.json and tokenizer_config.json (created; other files are left alone).")
    Path out;

    @Option(
            names = "--min-frequency",
            defaultValue = "0",
            paramLabel = "N",
            description = "Never merge a pair seen fewer than N times. Default: ${DEFAULT-VALUE}.")
    long minFrequency;

    @Option(
            names = "--limit-alphabet",
            paramLabel = "N",
            description = "Keep only the N most frequent characters (others become <unk>). Default: every character.")
    Integer limitAlphabet;

    @Option(
            names = "--initial-alphabet",
            defaultValue = "\\n",
            paramLabel = "CHARS",
            description = "Characters always in the vocabulary (escapes \\n \\t \\r \\\\). Default: ${DEFAULT-VALUE}, "
                    + "the line break of the prompt template.")
    String initialAlphabet;

    @Option(
            names = "--model-max-length",
            defaultValue = "" + KoGpt2Conventions.MODEL_MAX_LENGTH,
            paramLabel = "N",
            description = "model_max_length in tokenizer_config.json. Default: ${DEFAULT-VALUE}.")
    int modelMaxLength;

    @Override
    public Integer call() {
        BpeTrainerOptions options = options();
        List<CorpusSource> sources = sources();
        TrainedTokenizer trained;
        try {
            trained = new TokenizerTraining(options, modelMaxLength).train(sources);
        } catch (IOException e) {
            throw new UserException("cannot read the training input: " + e.getMessage());
        }
        TrainingStats s = trained.stats();
        PrintWriter o = spec.commandLine().getOut();
        o.printf(
                Locale.ROOT,
                "read %,d sequences (%,d words, %,d distinct) from %d files in %.1f s%n",
                s.sequences(),
                s.words(),
                s.distinctWords(),
                sources.size(),
                s.readTime().toMillis() / 1000.0);
        o.printf(
                Locale.ROOT,
                "learned %,d merges: vocabulary %,d (%d special, %,d characters) in %.1f s%n",
                s.merges(),
                s.vocabSize(),
                options.specialTokens().size(),
                s.alphabetSize(),
                s.trainTime().toMillis() / 1000.0);
        if (s.vocabSize() < vocabSize) {
            o.printf(Locale.ROOT, "note: the corpus ran out of pairs to merge before --vocab-size %,d%n", vocabSize);
        }
        try {
            trained.writeTo(out);
        } catch (IOException e) {
            throw new UserException("cannot write " + out + ": " + e);
        }
        o.printf(
                "wrote %s (sha256 %s) and %s%n",
                out.resolve(TrainedTokenizer.TOKENIZER_JSON), trained.sha256(), TrainedTokenizer.TOKENIZER_CONFIG_JSON);
        return 0;
    }

    private BpeTrainerOptions options() {
        if (vocabSize < 1) {
            throw new ParameterException(spec.commandLine(), "--vocab-size must be >= 1, got " + vocabSize);
        }
        if (minFrequency < 0) {
            throw new ParameterException(spec.commandLine(), "--min-frequency must be >= 0, got " + minFrequency);
        }
        if (limitAlphabet != null && limitAlphabet < 0) {
            throw new ParameterException(spec.commandLine(), "--limit-alphabet must be >= 0, got " + limitAlphabet);
        }
        if (modelMaxLength < 1) {
            throw new ParameterException(spec.commandLine(), "--model-max-length must be >= 1, got " + modelMaxLength);
        }
        return BpeTrainerOptions.kogpt2(vocabSize)
                .withMinFrequency(minFrequency)
                .withLimitAlphabet(limitAlphabet == null ? OptionalInt.empty() : OptionalInt.of(limitAlphabet))
                .withInitialAlphabet(unescape(initialAlphabet));
    }

    private List<CorpusSource> sources() {
        List<CorpusSource> sources = new ArrayList<>();
        boolean anyCsv = false;
        for (Path input : inputs) {
            if (!Files.isRegularFile(input)) {
                throw new ParameterException(spec.commandLine(), "--input " + input + ": no such file");
            }
            if (input.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
                anyCsv = true;
                if (csvColumns.isEmpty()) {
                    throw new ParameterException(
                            spec.commandLine(),
                            "--input " + input
                                    + " is a CSV file: name the columns to read with --csv-columns, e.g. Q,A");
                }
                sources.add(CorpusSource.csv(input, csvColumns));
            } else {
                sources.add(CorpusSource.lines(input));
            }
        }
        if (!anyCsv && !csvColumns.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--csv-columns given but no --input is a .csv file");
        }
        return sources;
    }

    /** {@code \n}, {@code \t}, {@code \r} and {@code \\} escapes; anything else is taken literally. */
    private String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i + 1 == s.length()) {
                throw new ParameterException(spec.commandLine(), "--initial-alphabet ends with a lone backslash");
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case '\\' -> b.append('\\');
                default ->
                    throw new ParameterException(
                            spec.commandLine(),
                            "--initial-alphabet: unknown escape \\" + e + " (use \\n, \\t, \\r or \\\\)");
            }
        }
        return b.toString();
    }
}
