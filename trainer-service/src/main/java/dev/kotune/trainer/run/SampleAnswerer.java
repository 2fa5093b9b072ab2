package dev.kotune.trainer.run;

import ai.onnxruntime.OrtException;
import dev.kotune.engine.EngineOptions;
import dev.kotune.engine.GenerationResult;
import dev.kotune.engine.OnnxModel;
import dev.kotune.engine.SamplingParams;
import dev.kotune.tokenization.KoTokenizer;
import dev.kotune.tokenization.PromptTemplate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers the evaluation prompts the way the notebook did, on an ONNX export with the {@code engine} library: the
 * prompt part of the template ({@code 질문: {prompt}\n답변:}) is tokenized, one prompt at a time is generated with the
 * job's settings (same seed for every prompt), and the answer is the decoded text after the last {@code 답변:}
 * (the whole continuation when the template has no such marker). Stateless, thread-safe.
 */
public final class SampleAnswerer {

    /** The notebook's answer marker. */
    public static final String ANSWER_MARKER = "답변:";

    private SampleAnswerer() {}

    /**
     * @param exportDir a {@code ./kotune export} directory (model.onnx)
     * @throws JobFailure EVALUATION naming the export and the prompt
     */
    public static List<String> answer(
            Path exportDir, KoTokenizer tokenizer, PromptTemplate template, List<String> prompts, SamplingParams config)
            throws JobFailure {
        List<String> answers = new ArrayList<>(prompts.size());
        try (OnnxModel model = OnnxModel.load(exportDir, EngineOptions.defaults())) {
            for (String prompt : prompts) {
                int[] ids = tokenizer.encodeIds(template.renderPrompt(prompt), false);
                GenerationResult r;
                try {
                    r = model.generate(List.<int[]>of(ids), config, x -> decode(tokenizer, x), null)
                            .get(0);
                } catch (OrtException | RuntimeException e) {
                    throw new JobFailure(
                            ErrorType.EVALUATION,
                            "generating an answer to \"" + prompt + "\" with " + exportDir + " failed: "
                                    + e.getMessage(),
                            false,
                            e);
                }
                // the engine's text: stop strings cut exactly as inference-service cuts them
                answers.add(answerOf(decode(tokenizer, ids) + r.text(), r.text()));
            }
        } catch (IOException | OrtException e) {
            throw new JobFailure(
                    ErrorType.EVALUATION, "cannot load the ONNX export " + exportDir + ": " + e.getMessage(), false, e);
        }
        return answers;
    }

    /**
     * Decodes without special tokens, dropping ids the tokenizer does not have, as HF tokenizers' {@code decode}
     * does: a model with a larger embedding than the tokenizer (KoGPT2-sized tiny model, 8,000-id tokenizer) can
     * sample such ids, and {@link KoTokenizer#decode} refuses them.
     */
    static String decode(KoTokenizer tokenizer, int[] ids) {
        int vocab = tokenizer.info().vocabSize();
        int[] known =
                java.util.Arrays.stream(ids).filter(id -> id >= 0 && id < vocab).toArray();
        return tokenizer.decode(known, true);
    }

    /** The text after the last {@value #ANSWER_MARKER} of the decoded sequence, else the continuation, trimmed. */
    static String answerOf(String fullText, String continuation) {
        int at = fullText.lastIndexOf(ANSWER_MARKER);
        String answer =
                at >= 0 ? fullText.substring(at + ANSWER_MARKER.length()) : continuation == null ? "" : continuation;
        return answer.strip();
    }
}
