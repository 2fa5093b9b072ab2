package dev.kotune.inference;

import dev.kotune.engine.EngineOptions;
import dev.kotune.engine.GenerationResult;
import dev.kotune.engine.OnnxModel;
import dev.kotune.engine.SamplingParams;
import dev.kotune.engine.text.Detokenizer;
import dev.kotune.tokenization.KoTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The reference the service is compared with: the engine and the tokenizer used directly, in the test's own code,
 * on the same export (the engine's Generator with HF generate() semantics, text decoded with special tokens skipped
 * and ids the tokenizer does not have dropped, as HF tokenizers' decode does).
 */
final class InProcess {

    /** What the engine produced. */
    record Output(int[] promptIds, int[] ids, String text, float[] logprobs, String finishReason, double millis) {}

    private InProcess() {}

    static Output generate(Path export, String prompt, SamplingParams config) throws Exception {
        try (KoTokenizer tok = KoTokenizer.load(export.resolve("tokenizer.json"));
                OnnxModel model =
                        OnnxModel.load(export, EngineOptions.defaults().withThreads(1, 0))) {
            int vocab = tok.info().vocabSize();
            Detokenizer detok =
                    ids -> tok.decode(Arrays.stream(ids).filter(i -> i < vocab).toArray(), true);
            int[] promptIds = tok.encodeIds(prompt);
            long t0 = System.nanoTime();
            GenerationResult r =
                    model.generate(List.of(promptIds), config, detok, null).get(0);
            double millis = (System.nanoTime() - t0) / 1e6;
            return new Output(
                    promptIds,
                    r.tokenIds(),
                    r.text(),
                    r.logprobs(),
                    r.finishReason().id(),
                    millis);
        }
    }

    static Output greedy(Path export, String prompt, int maxNewTokens) throws Exception {
        return generate(
                export,
                prompt,
                SamplingParams.builder().maxNewTokens(maxNewTokens).build());
    }
}
