package dev.kotune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.testing.RepoFiles;
import dev.kotune.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path tmp;

    @Test
    void loadsHfFakeGpt2WithPrefixStrippedAndTiedHeadOmitted() throws Exception {
        Path dir = SharedData.require("hf-fake-gpt2");
        Checkpoint ck = Checkpoint.read(dir);
        assertThat(ck.weightsFile().getFileName().toString()).isEqualTo("model.safetensors");
        assertThat(ck.config().nEmbd()).isEqualTo(2);
        assertThat(ck.config().nLayer()).isEqualTo(1);
        assertThat(ck.weights().names())
                .containsExactlyElementsOf(
                        Gpt2Weights.expectedShapes(ck.config()).keySet());
        assertThat(ck.weights().get("wte.weight").shape()).containsExactly(50257, 2);
        assertThat(ck.weights().get("wpe.weight").shape()).containsExactly(1024, 2);
        assertThat(ck.weights().get("h.0.attn.c_attn.weight").shape()).containsExactly(2, 6);
        assertThat(ck.weights().get("h.0.mlp.c_fc.weight").shape()).containsExactly(2, 8);
        assertThat(ck.weights().contains("lm_head.weight")).isFalse();
        assertThat(ck.ignoredKeys()).isEmpty();
        StateDict raw = Checkpoint.readRaw(ck.weightsFile());
        for (String n : ck.weights().names()) {
            assertThat(ck.weights().get(n).bitEquals(raw.get("transformer." + n)))
                    .as(n)
                    .isTrue();
        }
    }

    @Test
    void tinyKogpt2BinAndSafetensorsLoadToIdenticalTensors() throws Exception {
        Path dir = RepoFiles.conformance("models/tiny-kogpt2");
        GPT2Config config = GPT2Config.read(dir.resolve("config.json"));
        Checkpoint st = Checkpoint.readWeights(dir.resolve("model.safetensors"), config);
        Checkpoint bin = Checkpoint.readWeights(dir.resolve("pytorch_model.bin"), config);
        assertThat(st.weights().size()).isEqualTo(2 + 12 * 3 + 2);
        assertThat(bin.weights().differences(st.weights())).isEmpty();
        assertThat(bin.ignoredKeys()).containsExactly("lm_head.weight");
        // the tied lm_head in the .bin shares wte's storage: same values
        assertThat(Checkpoint.readRaw(dir.resolve("pytorch_model.bin"))
                        .get("lm_head.weight")
                        .bitEquals(st.weights().get("wte.weight")))
                .isTrue();
    }

    @Test
    void legacyBinWithoutPrefixAndWithMaskBuffersLoadsTheSameTensors() throws Exception {
        Path dir = RepoFiles.conformance("models/tiny-kogpt2");
        Checkpoint legacy = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2-legacy-bin"));
        Checkpoint st = Checkpoint.read(dir);
        assertThat(legacy.weights().differences(st.weights())).isEmpty();
        assertThat(legacy.ignoredKeys()).contains("h.0.attn.bias", "h.0.attn.masked_bias", "h.2.attn.bias");
        StateDict raw = Checkpoint.readRaw(legacy.weightsFile());
        assertThat(raw.get("h.0.attn.bias").shape()).containsExactly(1, 1, 128, 128); // uint8 tril read as float
        assertThat(raw.get("h.0.attn.masked_bias").toArray()).containsExactly(-1e4f);
    }

    @Test
    void writtenCheckpointReloadsBitIdenticallyInHfLayout() throws Exception {
        Checkpoint src = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2"));
        Path tok = tmp.resolve("tokenizer.json");
        Files.writeString(tok, "{}");
        Path out = tmp.resolve("ckpt");
        KotuneMetadata meta = KotuneMetadata.of(
                src.config(), "ab12", "conformance/models/tiny-kogpt2", "job-1", 20, Map.of("train_loss", 1.25));
        CheckpointWriter.to(out)
                .config(src.config())
                .weights(src.weights())
                .tokenizerFiles(List.of(tok))
                .metadata(meta)
                .generationConfig(Map.of("do_sample", true))
                .write();

        assertThat(out.resolve("config.json")).exists();
        assertThat(out.resolve("generation_config.json"))
                .content()
                .contains("\"do_sample\" : true")
                .contains("\"pad_token_id\" : 3");
        assertThat(out.resolve("tokenizer.json")).exists();
        assertThat(Files.list(tmp).map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("ckpt", "tokenizer.json");
        SafeTensors.Contents raw = SafeTensors.read(out.resolve("model.safetensors"));
        assertThat(raw.metadata()).containsEntry("format", "pt");
        assertThat(raw.tensors().names()).allMatch(n -> n.startsWith("transformer."));

        Checkpoint back = Checkpoint.read(out);
        assertThat(back.config()).isEqualTo(src.config());
        assertThat(back.weights().differences(src.weights())).isEmpty();
        assertThat(back.metadata()).isEqualTo(meta);
    }

    /**
     * Leaves target/hf-layout/tiny-kogpt2 (written from the legacy .bin) for
     * {@code conformance/check_kotune_checkpoint.py}, which loads it with transformers' from_pretrained.
     */
    @Test
    void writesTheLegacyBinAsAnHfDirectoryForTheTransformersCheck() throws Exception {
        Checkpoint legacy = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2-legacy-bin"));
        Path out = Path.of("target", "hf-layout", "tiny-kogpt2");
        CheckpointWriter.to(out)
                .config(legacy.config())
                .weights(legacy.weights())
                .metadata(KotuneMetadata.of(
                        legacy.config(), null, "conformance/models/tiny-kogpt2-legacy-bin", null, 0, Map.of()))
                .write();
        assertThat(Checkpoint.read(out).weights().differences(legacy.weights())).isEmpty();
    }

    @Test
    void rewritingACheckpointReplacesItAtomically() throws Exception {
        Checkpoint src = Checkpoint.read(SharedData.require("hf-fake-gpt2"));
        Path out = tmp.resolve("ckpt");
        CheckpointWriter.to(out).config(src.config()).weights(src.weights()).write();
        Files.writeString(out.resolve("stale.txt"), "old");
        CheckpointWriter.to(out).config(src.config()).weights(src.weights()).write();
        assertThat(out.resolve("stale.txt")).doesNotExist();
        assertThat(Files.list(tmp).count()).isEqualTo(1);
        assertThat(Checkpoint.read(out).weights().differences(src.weights())).isEmpty();
    }

    @Test
    void rejectsATruncatedBinNamingTheFile() throws Exception {
        byte[] all = Files.readAllBytes(RepoFiles.conformance("models/tiny-kogpt2/pytorch_model.bin"));
        Path dir = Files.createDirectory(tmp.resolve("cut"));
        Files.copy(RepoFiles.conformance("models/tiny-kogpt2/config.json"), dir.resolve("config.json"));
        Path bin = dir.resolve("pytorch_model.bin");
        Files.write(bin, java.util.Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(bin.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void rejectsWeightsWhoseShapeDisagreesWithTheConfig() throws Exception {
        Path dir = copyOfFakeGpt2("{\"model_type\":\"gpt2\",\"n_embd\":4,\"n_head\":1,\"n_layer\":1}");
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(dir.resolve("model.safetensors").toString())
                .hasMessageContaining("'wte.weight' has shape (50257, 2)")
                .hasMessageContaining("expects (50257, 4)");
    }

    @Test
    void rejectsMissingKeysListingThem() throws Exception {
        Path dir = copyOfFakeGpt2(
                "{\"model_type\":\"gpt2\",\"n_embd\":2,\"n_head\":1,\"n_layer\":2,\"vocab_size\":50257}");
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(dir.resolve("model.safetensors").toString())
                .hasMessageContaining("12 missing tensor(s): h.1.ln_1.weight");
    }

    @Test
    void requiresLmHeadWhenEmbeddingsAreUntied() throws Exception {
        Path dir = copyOfFakeGpt2(
                "{\"model_type\":\"gpt2\",\"n_embd\":2,\"n_head\":1,\"n_layer\":1," + "\"tie_word_embeddings\":false}");
        assertThatThrownBy(() -> Checkpoint.read(dir)).hasMessageContaining("missing tensor(s): lm_head.weight");
    }

    @Test
    void rejectsAnUnknownModelTypeInTheDirectory() throws Exception {
        Path dir = copyOfFakeGpt2("{\"model_type\":\"bert\"}");
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .hasMessageContaining(dir.resolve("config.json").toString())
                .hasMessageContaining("unknown model_type \"bert\"");
    }

    @Test
    void rejectsADirectoryWithoutWeights() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("empty"));
        Files.copy(SharedData.require("hf-fake-gpt2/config.json"), dir.resolve("config.json"));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("neither model.safetensors nor pytorch_model.bin");
    }

    @Test
    void metadataMismatchFailsWithAHint() throws Exception {
        GPT2Config c = GPT2Config.read(SharedData.require("hf-fake-gpt2/config.json"));
        KotuneMetadata m = KotuneMetadata.of(c, "aaaa", "x", null, 0, Map.of());
        Path f = tmp.resolve("kotune.json");
        m.requireCompatible(f, c, "AAAA"); // case-insensitive hex: fine
        assertThatThrownBy(() -> m.requireCompatible(f, c, "bbbb"))
                .isInstanceOf(CheckpointMismatchException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("tokenizer sha256 aaaa")
                .hasMessageContaining("Hint: use the tokenizer.json saved in the checkpoint");
        assertThatThrownBy(() -> m.requireCompatible(f, c.withVocabSize(51200), null))
                .hasMessageContaining("vocab_size 50257")
                .hasMessageContaining("Hint:");
    }

    private Path copyOfFakeGpt2(String config) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("fake"));
        Files.copy(SharedData.require("hf-fake-gpt2/model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), config);
        return dir;
    }
}
