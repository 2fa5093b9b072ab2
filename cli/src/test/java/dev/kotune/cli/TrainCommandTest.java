package dev.kotune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.checkpoint.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kotune train} on a very small random GPT-2 with the built-in 8,000-id tokenizer (a few steps, CPU). */
class TrainCommandTest {
    private static final Path TOKENIZER = Path.of("../models/kotune-ko-bpe-8k/tokenizer.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LOG_LINE = Pattern.compile(
            "\\{'loss': \\d+\\.\\d{4}, 'grad_norm': \\d+\\.\\d{4}, 'learning_rate': [0-9.e+-]+, 'epoch': \\d+\\.\\d{2}}");

    @TempDir
    Path dir;

    private Path config() throws Exception {
        return Files.writeString(dir.resolve("config.json"), """
        {"model_type": "gpt2", "activation_function": "gelu_new", "vocab_size": 8000, "n_positions": 64,
         "n_embd": 16, "n_layer": 1, "n_head": 2, "bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 3,
         "tie_word_embeddings": true}
        """);
    }

    private Path csv() throws Exception {
        return Files.writeString(dir.resolve("pairs.csv"), """
        Q,A,label
        안녕하세요?,안녕하세요! 무엇을 도와드릴까요?,0
        배고파,"맛있는 음식을 드셔 보세요, 힘이 됩니다.",0
        잠이 안 와,따뜻한 우유를 마시고 편안하게 쉬어 보세요.,0
        ,빈 질문은 건너뜁니다,0
        """);
    }

    @Test
    void preTrainsARandomModelAndWritesAnHfCheckpointWithMetadata() throws Exception {
        Path out = dir.resolve("model");
        KotuneCommandTest.Run run = KotuneCommandTest.run(
                "train",
                "--init-config",
                config().toString(),
                "--tokenizer",
                TOKENIZER.toString(),
                "--data",
                csv().toString(),
                "--epochs",
                "2",
                "--batch-size",
                "2",
                "--lr",
                "1e-3",
                "--logging-steps",
                "1",
                "--out",
                out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("data: 3 pairs", "1 skipped as blank", "random init from");
        // 3 pairs, batch 2: 2 steps per epoch, 4 in all, one log line each, then the final metrics.
        assertThat(run.out().lines().filter(l -> LOG_LINE.matcher(l).matches())).hasSize(4);
        assertThat(run.out()).contains("'train_runtime': ", "'epoch': 2.00}", "wrote " + out);

        Checkpoint written = Checkpoint.read(out);
        assertThat(written.config().nEmbd()).isEqualTo(16);
        assertThat(written.config().vocabSize()).isEqualTo(8000);
        assertThat(out.resolve("tokenizer.json")).hasSameBinaryContentAs(TOKENIZER);
        assertThat(out.resolve("tokenizer_config.json")).isRegularFile();
        assertThat(out.resolve("optimizer.safetensors")).doesNotExist();
        JsonNode meta = JSON.readTree(out.resolve("kotune.json").toFile());
        assertThat(meta.get("step").asLong()).isEqualTo(4);
        assertThat(meta.get("source").asText()).startsWith("random init (config.json, seed 42)");
        assertThat(meta.get("metrics").get("train_loss").asDouble()).isFinite().isPositive();
        assertThat(meta.get("tokenizer_sha256").asText())
                .isEqualTo(written.metadata().tokenizerSha256())
                .hasSize(64);
    }

    @Test
    void fineTunesACheckpointWithItsOwnTokenizerAndCanSaveTheTrainingState() throws Exception {
        Path base = dir.resolve("base");
        assertThat(KotuneCommandTest.run(
                                "train",
                                "--init-config",
                                config().toString(),
                                "--tokenizer",
                                TOKENIZER.toString(),
                                "--data",
                                csv().toString(),
                                "--max-steps",
                                "1",
                                "--out",
                                base.toString())
                        .exitCode())
                .isZero();
        Path tuned = dir.resolve("tuned");

        KotuneCommandTest.Run run = KotuneCommandTest.run(
                "train",
                "--base",
                base.toString(),
                "--data",
                csv().toString(),
                "--max-steps",
                "2",
                "--logging-steps",
                "1",
                "--group-by-length",
                "--save-training-state",
                "--out",
                tuned.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("model: " + base, "max_steps 2");
        assertThat(tuned.resolve("optimizer.safetensors")).isRegularFile();
        assertThat(tuned.resolve("trainer_state.json")).isRegularFile();
        assertThat(JSON.readTree(tuned.resolve("kotune.json").toFile())
                        .get("source")
                        .asText())
                .isEqualTo(base.toAbsolutePath().normalize().toString());
    }

    @Test
    void needsExactlyOneStartingPointAndATokenizerForARandomModel() throws Exception {
        KotuneCommandTest.Run both = KotuneCommandTest.run(
                "train",
                "--base",
                dir.toString(),
                "--init-config",
                config().toString(),
                "--data",
                csv().toString(),
                "--out",
                dir.resolve("x").toString());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");

        KotuneCommandTest.Run noTokenizer = KotuneCommandTest.run(
                "train",
                "--init-config",
                config().toString(),
                "--data",
                csv().toString(),
                "--out",
                dir.resolve("x").toString());
        assertThat(noTokenizer.exitCode()).isEqualTo(2);
        assertThat(noTokenizer.err()).contains("--init-config needs --tokenizer");
    }
}
