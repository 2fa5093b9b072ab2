package dev.kotune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.testing.RepoFiles;
import dev.kotune.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GPT2ConfigTest {

    @TempDir
    Path tmp;

    @Test
    void fillsTransformersDefaultsForMissingFields() throws Exception {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"model_type\": \"gpt2\", \"vocab_size\": 51200}");
        GPT2Config c = GPT2Config.read(f);
        assertThat(c.vocabSize()).isEqualTo(51200);
        assertThat(c.nEmbd()).isEqualTo(768);
        assertThat(c.nLayer()).isEqualTo(12);
        assertThat(c.nHead()).isEqualTo(12);
        assertThat(c.nPositions()).isEqualTo(1024);
        assertThat(c.innerSize()).isEqualTo(3072);
        assertThat(c.activationFunction()).isEqualTo("gelu_new");
        assertThat(c.residPdrop()).isEqualTo(0.1);
        assertThat(c.layerNormEpsilon()).isEqualTo(1e-5);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.scaleAttnWeights()).isTrue();
    }

    @Test
    void readsTheTinyKogpt2ConfigTheOracleWrote() throws Exception {
        GPT2Config c = GPT2Config.read(RepoFiles.conformance("models/tiny-kogpt2/config.json"));
        assertThat(c.vocabSize()).isEqualTo(51200);
        assertThat(c.nEmbd()).isEqualTo(48);
        assertThat(c.nLayer()).isEqualTo(3);
        assertThat(c.nHead()).isEqualTo(3);
        assertThat(c.nPositions()).isEqualTo(128);
        assertThat(c.padTokenId()).isEqualTo(3);
        assertThat(c.eosTokenId()).isEqualTo(1);
        assertThat(c.bosTokenId()).isEqualTo(0);
    }

    @Test
    void writesAndRereadsTheSameConfigKeepingUnknownKeys() throws Exception {
        GPT2Config c = GPT2Config.read(SharedData.require("hf-fake-gpt2/config.json"));
        Path f = tmp.resolve("out.json");
        c.write(f);
        GPT2Config back = GPT2Config.read(f);
        assertThat(back).isEqualTo(c);
        assertThat(Files.readString(f)).contains("\"task_specific_params\"").contains("\"GPT2LMHeadModel\"");
    }

    @Test
    void rejectsAnUnknownModelTypeNamingTheFile() throws Exception {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"model_type\": \"llama\", \"hidden_size\": 8}");
        assertThatThrownBy(() -> GPT2Config.read(f))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("unknown model_type \"llama\"");
    }

    @Test
    void rejectsHiddenSizeNotDivisibleByHeads() throws Exception {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"model_type\": \"gpt2\", \"n_embd\": 50, \"n_head\": 3}");
        assertThatThrownBy(() -> GPT2Config.read(f)).hasMessageContaining("not divisible by n_head 3");
    }
}
