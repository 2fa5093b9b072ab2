package dev.kotune.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.tokenization.EncodeOptions;
import dev.kotune.tokenization.InvalidInputException;
import dev.kotune.tokenization.KoTokenizer;
import dev.kotune.tokenization.TextLimits;
import dev.kotune.tokenization.TokenEncoding;
import dev.kotune.tokenization.TokenizationException;
import dev.kotune.tokenization.TokenizerLoader;
import dev.kotune.tokenization.TokenizerSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kotune tokenize}: encodes one text in-process with the tokenization library (no service needed) and prints
 * its ids, or with {@code --json} {@code {"ids":[...],"tokens":[...]}}.
 */
@Command(
        name = "tokenize",
        mixinStandardHelpOptions = true,
        description = {
            "Print the token ids of TEXT (KoGPT2-exact, as Python tokenizers/transformers encode it).",
            "Hub ids are resolved through the HF cache (HF_HOME, HF_ENDPOINT, HF_HUB_OFFLINE, HF_TOKEN)."
        })
final class TokenizeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(
            names = "--tokenizer",
            paramLabel = "PATH_OR_ID",
            defaultValue = "skt/kogpt2-base-v2",
            description = "A tokenizer.json, an HF-layout directory, or a hub id. Default: ${DEFAULT-VALUE}.")
    String tokenizer;

    @Option(
            names = "--revision",
            defaultValue = "main",
            description = "Hub revision (branch, tag or commit) for a hub id. Default: ${DEFAULT-VALUE}.")
    String revision;

    @Option(names = "--json", description = "Print {\"ids\":[...],\"tokens\":[...]} instead of the ids.")
    boolean json;

    @Option(
            names = "--add-special-tokens",
            description = "Run the tokenizer's post-processor (KoGPT2 has none, so it adds nothing).")
    boolean addSpecialTokens;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text to encode; '-' reads it from stdin.")
    String text;

    @Override
    public Integer call() {
        String input = "-".equals(text) ? readStdin() : text;
        try {
            TextLimits.DEFAULT.requireText("TEXT", input);
            TokenizerSource source = TokenizerSource.parse(tokenizer, revision);
            try (KoTokenizer tok = TokenizerLoader.fromSystemEnvironment().load(source)) {
                TokenEncoding enc = tok.encode(input, new EncodeOptions(addSpecialTokens, json, false));
                spec.commandLine().getOut().println(json ? toJson(enc) : toLine(enc.ids()));
            }
            return 0;
        } catch (InvalidInputException e) {
            throw new UserException(e.getMessage(), 2);
        } catch (TokenizationException e) {
            throw new UserException(e.getMessage(), 1);
        }
    }

    private static String toLine(int[] ids) {
        StringJoiner line = new StringJoiner(" ");
        for (int id : ids) {
            line.add(Integer.toString(id));
        }
        return line.toString();
    }

    private static String toJson(TokenEncoding enc) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode ids = root.putArray("ids");
        for (int id : enc.ids()) {
            ids.add(id);
        }
        ArrayNode tokens = root.putArray("tokens");
        enc.tokens().forEach(tokens::add);
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readStdin() {
        try {
            return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
