package dev.kotune.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.proto.inference.v1.GenerationParameters;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * inference-service's OpenAI-compatible REST API ({@code GET /v1/models}, {@code POST /v1/completions}) over
 * {@code java.net.http}, with the timeouts of a demo: 5 s to connect, 120 s per completion. Thread-safe.
 */
final class InferenceClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    /** A completion: the generated text, OpenAI's finish_reason ("length", "stop") and the token counts. */
    record Completion(String text, String finishReason, int promptTokens, int completionTokens) {}

    InferenceClient(URI base) {
        this.base = base;
    }

    /** One entry of {@code GET /v1/models}: OpenAI's id, created (epoch seconds) and owned_by. */
    record Model(String id, long created, String ownedBy) {}

    /** The ids {@code GET /v1/models} lists now. */
    List<String> models() throws IOException, InterruptedException {
        return listModels().stream().map(Model::id).toList();
    }

    /** The models {@code GET /v1/models} lists now, in its order. */
    List<Model> listModels() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(base.resolve("/v1/models"))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /v1/models answered " + r.statusCode() + ": " + r.body());
        }
        List<Model> models = new ArrayList<>();
        JSON.readTree(r.body())
                .path("data")
                .forEach(m -> models.add(new Model(
                        m.path("id").asText(),
                        m.path("created").asLong(),
                        m.path("owned_by").asText(""))));
        return models;
    }

    /** Polls {@code GET /v1/models} until it lists {@code id}; false when {@code timeout} passes first. */
    boolean awaitModel(String id, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (models().contains(id)) {
                    return true;
                }
            } catch (IOException notYet) {
                // the service may be busy; ask again
            }
            Thread.sleep(500);
        }
        return false;
    }

    /**
     * {@code POST /v1/completions} for {@code prompt} with {@code model} and the decoding settings of {@code p}.
     *
     * @throws IOException with the status and OpenAI error message when the service refuses
     */
    Completion complete(String model, String prompt, GenerationParameters p) throws IOException, InterruptedException {
        return complete(model, prompt, p, 1).get(0);
    }

    /**
     * {@code n} choices of one request (OpenAI's {@code n}): with a seed, choice i draws with seed + i, so one request
     * gives the draws of n requests seeded seed, seed + 1, ... (the engine's contract), sharing one prefill.
     */
    List<Completion> complete(String model, String prompt, GenerationParameters p, int n)
            throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(base.resolve("/v1/completions"))
                        .timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.writeValueAsString(completionRequest(model, prompt, p, n))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IOException("POST /v1/completions answered " + r.statusCode() + ": "
                    + answer.path("error").path("message").asText(r.body()));
        }
        List<Completion> out = new ArrayList<>();
        for (JsonNode choice : answer.path("choices")) {
            out.add(new Completion(
                    choice.path("text").asText(),
                    choice.path("finish_reason").asText(null),
                    answer.path("usage").path("prompt_tokens").asInt(),
                    answer.path("usage").path("completion_tokens").asInt()));
        }
        return out;
    }

    /** The request body: OpenAI's names where the route has them, the set fields of {@code p} only. */
    private static ObjectNode completionRequest(String model, String prompt, GenerationParameters p, int n) {
        ObjectNode body = JSON.createObjectNode()
                .put("model", model)
                .put("prompt", prompt)
                .put("n", n);
        if (p.hasMaxNewTokens()) {
            body.put("max_tokens", p.getMaxNewTokens());
        }
        if (p.hasMaxLength()) {
            body.put("max_length", p.getMaxLength());
        }
        if (p.hasMinNewTokens()) {
            body.put("min_tokens", p.getMinNewTokens());
        }
        body.put("do_sample", p.getDoSample());
        if (p.hasTemperature()) {
            body.put("temperature", p.getTemperature());
        }
        if (p.hasTopK()) {
            body.put("top_k", p.getTopK());
        }
        if (p.hasTopP()) {
            body.put("top_p", p.getTopP());
        }
        if (p.hasRepetitionPenalty()) {
            body.put("repetition_penalty", p.getRepetitionPenalty());
        }
        if (p.hasNoRepeatNgramSize()) {
            body.put("no_repeat_ngram_size", p.getNoRepeatNgramSize());
        }
        if (p.hasSeed()) {
            body.put("seed", p.getSeed());
        }
        if (p.getStopCount() > 0) {
            p.getStopList().forEach(body.putArray("stop")::add);
        }
        if (p.hasStopAtEos()) {
            body.put("stop_at_eos", p.getStopAtEos());
        }
        return body;
    }
}
