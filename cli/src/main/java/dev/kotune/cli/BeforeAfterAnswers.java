package dev.kotune.cli;

import dev.kotune.engine.SamplingParams;
import dev.kotune.proto.inference.v1.GenerationParameters;
import dev.kotune.proto.training.v1.Example;
import dev.kotune.proto.training.v1.ModelEvaluated;
import dev.kotune.proto.training.v1.SampleAnswer;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import dev.kotune.tokenization.KoTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The demo's last step, after the job succeeded: for each training example, the answer before fine-tuning (the
 * trainer's {@code ModelEvaluated}, greedy in the demo's job) and after (inference-service over REST
 * {@code /v1/completions}, model = job id, greedy), as a table with an exact-match column and an "exact match N/4"
 * line. An answer is exact when its text equals the completion and generation stopped at EOS (finish_reason
 * {@code stop}). Then, optionally, the notebook's sampling with seeds 0..19 per prompt. Not thread-safe: one per demo
 * run, on its thread.
 */
final class BeforeAfterAnswers {
    /** How long the inference service may take to list the job's model after the job succeeded. */
    static final Duration SERVE_TIMEOUT = Duration.ofSeconds(120);

    /** Seeded draws per prompt for the sampling check. */
    static final int DRAWS = 20;

    private static final String DEFAULT_TEMPLATE = "질문: {prompt}\n답변:{completion}";

    private final PrintWriter out;

    /** One example's answers. {@code exact}: after == expected and finish_reason "stop". */
    record Row(String prompt, String expected, String before, String after, String finishReason, boolean exact) {}

    /**
     * What the step found: the rows; draws equal to the completion per prompt (empty if not run); the prompts whose
     * completion the notebook's no_repeat_ngram_size forbids, with the repeated tokens; what failed.
     */
    record Result(
            List<Row> rows, Map<String, Integer> sampledExact, Map<String, String> unreachable, List<String> problems) {
        long exactCount() {
            return rows.stream().filter(Row::exact).count();
        }

        boolean allExact() {
            return problems.isEmpty() && !rows.isEmpty() && exactCount() == rows.size();
        }
    }

    BeforeAfterAnswers(PrintWriter out) {
        this.out = out;
    }

    /**
     * Collects, checks and prints the answers of job {@code jobId}.
     *
     * @param submitted the spec as submitted (used when the validated spec is not among the events)
     * @param sampling also run the notebook's sampling, {@link #DRAWS} seeded draws per prompt
     */
    Result show(KafkaOptions kafka, String jobId, TrainingJobSpec submitted, URI inference, boolean sampling)
            throws InterruptedException {
        JobEvents job = JobEvents.of(readEvents(kafka, jobId), submitted);
        List<String> problems = new ArrayList<>();
        Map<String, String> before = beforeAnswers(job.evaluated(), jobId, problems);
        List<Example> examples = job.spec().getDataset().getInline().getExamplesList();
        if (examples.isEmpty()) {
            examples = submitted.getDataset().getInline().getExamplesList();
        }
        if (job.exported() == null) {
            problems.add("serving: no CheckpointExported event for " + jobId + ", so there is no export to serve");
            return new Result(List.of(), Map.of(), Map.of(), problems);
        }
        InferenceClient client = new InferenceClient(inference);
        if (!client.awaitModel(jobId, SERVE_TIMEOUT)) {
            problems.add("serving: inference-service did not list model " + jobId + " within "
                    + SERVE_TIMEOUT.toSeconds() + " s of CheckpointExported (" + job.exportPath()
                    + "); see logs/inference-service.log");
            return new Result(List.of(), Map.of(), Map.of(), problems);
        }
        String template = job.spec().getFormat().getTemplate().isEmpty()
                ? DEFAULT_TEMPLATE
                : job.spec().getFormat().getTemplate();
        int cut = template.indexOf("{completion}");
        String promptTemplate = cut >= 0 ? template.substring(0, cut) : template;
        List<Row> rows = new ArrayList<>();
        if (!answerAfter(client, jobId, promptTemplate, examples, before, rows, problems)) {
            return new Result(rows, Map.of(), Map.of(), problems);
        }
        printSummary(jobId, rows);
        Map<String, Integer> sampled = new LinkedHashMap<>();
        Map<String, String> unreachable = new LinkedHashMap<>();
        if (sampling) {
            sampled =
                    sample(client, jobId, promptTemplate, template, examples, job.exportPath(), unreachable, problems);
        }
        return new Result(rows, sampled, unreachable, problems);
    }

    /** The job's events from the start of the events topic. */
    private static List<TrainingEvent> readEvents(KafkaOptions kafka, String jobId) {
        try (TrainingEvents.Reader reader = new TrainingEvents.Reader(kafka)) {
            reader.seekToBeginning(Duration.ofSeconds(30));
            return reader.readAll().stream()
                    .filter(e -> e.getJobId().equals(jobId))
                    .toList();
        }
    }

    /**
     * What the demo needs from a job's events: the resolved spec (else the submitted one), the ModelEvaluated and the
     * CheckpointExported event (null when missing).
     */
    private record JobEvents(TrainingJobSpec spec, ModelEvaluated evaluated, TrainingEvent exported) {
        static JobEvents of(List<TrainingEvent> events, TrainingJobSpec submitted) {
            TrainingJobSpec spec = submitted;
            ModelEvaluated evaluated = null;
            TrainingEvent exported = null;
            for (TrainingEvent e : events) {
                if (e.hasJobValidated()) {
                    spec = e.getJobValidated().getResolvedSpec();
                } else if (e.hasEvaluated()) {
                    evaluated = e.getEvaluated();
                } else if (e.hasCheckpointExported()) {
                    exported = e;
                }
            }
            return new JobEvents(spec, evaluated, exported);
        }

        Path exportPath() {
            return Path.of(exported.getCheckpointExported().getExportPath());
        }
    }

    /** The base model's answers by prompt, from ModelEvaluated; a problem when there are none. */
    private static Map<String, String> beforeAnswers(ModelEvaluated evaluated, String jobId, List<String> problems) {
        Map<String, String> before = new LinkedHashMap<>();
        if (evaluated == null || evaluated.getSamplesCount() == 0) {
            problems.add("before answers: the trainer published no ModelEvaluated with samples for " + jobId);
        } else {
            for (SampleAnswer s : evaluated.getSamplesList()) {
                before.put(s.getPrompt(), s.getAnswerBefore());
            }
        }
        return before;
    }

    /** Asks the served model for each example (greedy) into {@code rows}; false (with a problem) when a call fails. */
    private static boolean answerAfter(
            InferenceClient client,
            String jobId,
            String promptTemplate,
            List<Example> examples,
            Map<String, String> before,
            List<Row> rows,
            List<String> problems)
            throws InterruptedException {
        for (Example ex : examples) {
            try {
                InferenceClient.Completion c =
                        client.complete(jobId, promptTemplate.replace("{prompt}", ex.getPrompt()), NotebookJob.GREEDY);
                boolean exact = c.text().equals(ex.getCompletion()) && "stop".equals(c.finishReason());
                rows.add(new Row(
                        ex.getPrompt(),
                        ex.getCompletion(),
                        before.getOrDefault(ex.getPrompt(), "?"),
                        c.text(),
                        c.finishReason(),
                        exact));
            } catch (IOException e) {
                problems.add("serving: " + ex.getPrompt() + ": " + e.getMessage());
                return false;
            }
        }
        return true;
    }

    private void printSummary(String jobId, List<Row> rows) {
        out.printf(
                "      before: base model (trainer-service, ModelEvaluated, greedy); after: inference-service "
                        + "(REST /v1/completions, model %s, greedy, max_length 64)%n",
                jobId);
        printTable(rows);
        out.printf(
                "      exact match %d/%d%s%n",
                rows.stream().filter(Row::exact).count(),
                rows.size(),
                " (after == expected, ending at EOS: finish_reason stop)");
    }

    /** The notebook's sampling, seeds 0..DRAWS-1, per example: how many draws equal the completion (and stop at EOS). */
    private Map<String, Integer> sample(
            InferenceClient client,
            String jobId,
            String promptTemplate,
            String template,
            List<Example> examples,
            Path export,
            Map<String, String> unreachable,
            List<String> problems)
            throws InterruptedException {
        GenerationParameters notebook = NotebookJob.NOTEBOOK_SAMPLING;
        out.printf(
                "      notebook sampling (temperature %.1f, top_p %.1f, repetition_penalty %.1f, no_repeat_ngram_size %d,"
                        + " max_length %d), seeds 0..%d, draws equal to the completion:%n",
                notebook.getTemperature(),
                notebook.getTopP(),
                notebook.getRepetitionPenalty(),
                notebook.getNoRepeatNgramSize(),
                notebook.getMaxLength(),
                DRAWS - 1);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Example ex : examples) {
            String prompt = promptTemplate.replace("{prompt}", ex.getPrompt());
            int ok = 0;
            try {
                // seeds 0..DRAWS-1 as n choices per request (choice i draws with seed + i): one prefill per request
                for (int seed = 0; seed < DRAWS; seed += SamplingParams.MAX_N) {
                    int n = Math.min(SamplingParams.MAX_N, DRAWS - seed);
                    for (InferenceClient.Completion c : client.complete(
                            jobId, prompt, notebook.toBuilder().setSeed(seed).build(), n)) {
                        if (c.text().equals(ex.getCompletion()) && "stop".equals(c.finishReason())) {
                            ok++;
                        }
                    }
                }
            } catch (IOException e) {
                problems.add("sampling: " + ex.getPrompt() + ": " + e.getMessage());
                return counts;
            }
            counts.put(ex.getPrompt(), ok);
            String why = "";
            String repeated = repeatedBigram(
                    export,
                    prompt,
                    template.replace("{prompt}", ex.getPrompt()).replace("{completion}", ex.getCompletion()),
                    notebook.getNoRepeatNgramSize());
            if (repeated != null) {
                unreachable.put(ex.getPrompt(), repeated);
                why = "  (unreachable with no_repeat_ngram_size " + notebook.getNoRepeatNgramSize()
                        + ": the completion repeats the tokens " + repeated + " of the prompt)";
            }
            out.printf("        %s %2d/%d%s%n", pad(ex.getPrompt(), 18), ok, DRAWS, why);
        }
        return counts;
    }

    /**
     * The first token n-gram of the completion that already occurs earlier in the text (which HF's
     * no_repeat_ngram_size, counted over prompt and answer, forbids), as text; null when there is none or the export has
     * no tokenizer.
     */
    static String repeatedBigram(Path export, String prompt, String full, int n) {
        Path tokenizer = export.resolve("tokenizer.json");
        if (n < 1 || !Files.isRegularFile(tokenizer)) {
            return null;
        }
        try (KoTokenizer tok = KoTokenizer.load(tokenizer)) {
            int promptLength = tok.encodeIds(prompt).length;
            int[] ids = tok.encodeIds(full);
            Set<List<Integer>> seen = new HashSet<>();
            for (int end = n; end <= ids.length; end++) {
                List<Integer> gram = new ArrayList<>();
                for (int i = end - n; i < end; i++) {
                    gram.add(ids[i]);
                }
                if (end > promptLength && !seen.add(gram)) {
                    return "'"
                            + tok.decode(java.util.Arrays.copyOfRange(ids, end - n, end), false)
                                    .strip() + "'";
                }
                seen.add(gram);
            }
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void printTable(List<Row> rows) {
        String[] head = {"prompt", "expected", "before", "after", "exact"};
        List<String[]> cells = new ArrayList<>();
        for (Row r : rows) {
            cells.add(new String[] {
                r.prompt(),
                oneLine(r.expected()),
                clip(oneLine(r.before()), 32),
                oneLine(r.after()) + ("stop".equals(r.finishReason()) ? "" : " [" + r.finishReason() + "]"),
                r.exact() ? "yes" : "no"
            });
        }
        int[] width = new int[head.length];
        for (int i = 0; i < head.length; i++) {
            width[i] = displayWidth(head[i]);
            for (String[] c : cells) {
                width[i] = Math.max(width[i], displayWidth(c[i]));
            }
        }
        out.println("      " + line(head, width));
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
        }
        out.println("      " + rule);
        cells.forEach(c -> out.println("      " + line(c, width)));
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            b.append(i == 0 ? "" : " | ").append(i == cells.length - 1 ? cells[i] : pad(cells[i], width[i]));
        }
        return b.toString();
    }

    /** Pads to {@code width} terminal columns (Hangul and other wide characters take two). */
    static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - displayWidth(s)));
    }

    static int displayWidth(String s) {
        return s.codePoints().map(c -> wide(c) ? 2 : 1).sum();
    }

    private static boolean wide(int c) {
        return (c >= 0x1100 && c <= 0x115F)
                || (c >= 0x2E80 && c <= 0xA4CF)
                || (c >= 0xAC00 && c <= 0xD7A3)
                || (c >= 0xF900 && c <= 0xFAFF)
                || (c >= 0xFE30 && c <= 0xFE4F)
                || (c >= 0xFF00 && c <= 0xFF60)
                || (c >= 0xFFE0 && c <= 0xFFE6);
    }

    private static String clip(String s, int columns) {
        if (displayWidth(s) <= columns) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        int w = 0;
        for (int c : s.codePoints().toArray()) {
            int cw = wide(c) ? 2 : 1;
            if (w + cw > columns - 1) {
                break;
            }
            b.appendCodePoint(c);
            w += cw;
        }
        return b + "…";
    }

    private static String oneLine(String s) {
        return s.strip().replace("\n", "\\n");
    }
}
