package dev.kotune.inference;

import static dev.kotune.inference.Rest.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * n choices, and concurrent requests sharing the continuous batch, over real HTTP on loopback.
 */
@QuarkusTest
@QuarkusTestResource(ModelsDirResource.class)
class BatchingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void installModels() {
        TestExports.install("plain", TestExports.tiny());
    }

    @AfterEach
    void removeModels() {
        TestModels.clear();
    }

    @Test
    void nChoicesAreIndexedAndSeededRowsDiffer() throws Exception {
        JsonNode r = JSON.readTree(post(
                        "/v1/completions",
                        "{\"model\": \"plain\", \"prompt\": \"질문: 안녕?\\n답변:\","
                                + " \"max_tokens\": 10, \"n\": 3, \"temperature\": 1.0, \"seed\": 7, \"stop_at_eos\": false}")
                .statusCode(200)
                .extract()
                .asString());
        assertThat(r.get("choices")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(r.at("/choices/" + i + "/index").asInt()).isEqualTo(i);
        }
        assertThat(r.at("/usage/completion_tokens").asInt()).isEqualTo(30);
        JsonNode again = JSON.readTree(post(
                        "/v1/completions",
                        "{\"model\": \"plain\", \"prompt\": \"질문: 안녕?\\n"
                                + "답변:\", \"max_tokens\": 10, \"n\": 3, \"temperature\": 1.0, \"seed\": 7, \"stop_at_eos\": false}")
                .statusCode(200)
                .extract()
                .asString());
        assertThat(again.get("choices")).isEqualTo(r.get("choices")); // seeded: reproducible
        assertThat(r.at("/choices/0/text").asText())
                .isNotEqualTo(r.at("/choices/1/text").asText());
    }

    @Test
    void concurrentGreedyRequestsShareTheBatchAndGetTheirSoloAnswers() throws Exception {
        List<String> prompts = List.of(
                "질문: 안녕?\\n답변:",
                "질문: 배고파\\n답변:",
                "질문: 오늘 날씨 어때?\\n답변:",
                "질문: 뭐 해?\\n답변:",
                "질문: 잘 자\\n답변:",
                "질문: 심심해\\n답변:");
        List<String> solo = new ArrayList<>();
        for (String p : prompts) {
            solo.add(post(
                            "/v1/completions",
                            "{\"model\": \"plain\", \"prompt\": \"" + p + "\", \"max_tokens\": 20,"
                                    + " \"stop_at_eos\": false}")
                    .statusCode(200)
                    .extract()
                    .path("choices[0].text"));
        }
        double batchesBefore = Metrics.value("kotune_batch_size_count{model=\"plain\"}");
        double rowsBefore = Metrics.value("kotune_batch_size_sum{model=\"plain\"}");
        ExecutorService pool = Executors.newFixedThreadPool(prompts.size());
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (String p : prompts) {
                Callable<String> call = () -> post(
                                "/v1/completions",
                                "{\"model\": \"plain\", \"prompt\": \"" + p
                                        + "\", \"max_tokens\": 20, \"stop_at_eos\": false}")
                        .statusCode(200)
                        .extract()
                        .path("choices[0].text");
                answers.add(pool.submit(call));
            }
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(answers.get(i).get()).as("prompt %d", i).isEqualTo(solo.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
        double steps = Metrics.value("kotune_batch_size_count{model=\"plain\"}") - batchesBefore;
        double rows = Metrics.value("kotune_batch_size_sum{model=\"plain\"}") - rowsBefore;
        assertThat(rows / steps)
                .as("mean rows per decode step while 6 requests ran")
                .isGreaterThan(1.5);
        assertThat(Metrics.value("kotune_time_to_first_token_seconds_count{model=\"plain\"}"))
                .isPositive();
        assertThat(Metrics.value("kotune_num_requests_running{model=\"plain\"}"))
                .isZero();
    }
}
