package dev.kotune.tokenization.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.testing.RepoFiles;
import dev.kotune.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The committed built-in tokenizer, {@code models/kotune-ko-bpe-8k}, its recipe (the corpora and settings its README's
 * command uses) and its oracle golden ({@code conformance/goldens/kotune-ko-bpe-8k/encode.json}, written by
 * {@code conformance/kotune_bpe_oracle.py goldens} with Python tokenizers 0.23.3).
 */
final class BuiltInTokenizer {
    private BuiltInTokenizer() {}

    static final String DIR = "models/kotune-ko-bpe-8k";
    static final int VOCAB_SIZE = 8000;

    /** The corpora, relative to the shared data dir, with their CSV columns (empty for a text file). */
    record Corpus(String file, List<String> csvColumns) {
        CorpusSource source() {
            Path p = SharedData.require(file);
            return csvColumns.isEmpty() ? CorpusSource.lines(p) : CorpusSource.csv(p, csvColumns);
        }
    }

    static final List<Corpus> CORPORA = List.of(
            new Corpus("chatbot/ChatbotData.csv", List.of("Q", "A")),
            new Corpus("nsmc/nsmc_reviews_sample.txt", List.of()),
            new Corpus("constitution/constitution.txt", List.of()));

    /** The command in the README that regenerates the files, run from the repository root. */
    static String command() {
        return "./kotune train-tokenizer --input "
                + CORPORA.stream().map(c -> "../shared/data/" + c.file()).collect(Collectors.joining(" "))
                + " --csv-columns Q,A --vocab-size " + VOCAB_SIZE + " --out " + DIR;
    }

    static Path file(String name) {
        return RepoFiles.require(DIR + "/" + name);
    }

    static JsonNode golden() throws IOException {
        return new ObjectMapper()
                .readTree(RepoFiles.require("conformance/goldens/kotune-ko-bpe-8k/encode.json")
                        .toFile());
    }

    /** The oracle's digest: each text's ids joined by ',', texts joined by '\n', sha256 in hex. */
    static String digest(List<long[]> idsPerText) {
        StringBuilder s = new StringBuilder();
        for (int t = 0; t < idsPerText.size(); t++) {
            if (t > 0) {
                s.append('\n');
            }
            long[] ids = idsPerText.get(t);
            for (int i = 0; i < ids.length; i++) {
                if (i > 0) {
                    s.append(',');
                }
                s.append(ids[i]);
            }
        }
        return TrainedTokenizer.sha256(s.toString().getBytes(StandardCharsets.US_ASCII));
    }
}
