package dev.kotune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kotune.testing.RepoFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PEFT's own {@code save_pretrained} output (goldens/peft/lora_notebook_adapter, peft 0.21.2) read by
 * {@link PeftAdapter}, and what {@link PeftAdapter#write} writes compared with it key by key.
 */
class PeftAdapterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Path peftDir() {
        return RepoFiles.conformance("goldens/peft/lora_notebook_adapter");
    }

    @Test
    void readsWhatPeftSaved() throws Exception {
        PeftAdapter a = PeftAdapter.read(peftDir());
        assertThat(a.config().r()).isEqualTo(8);
        assertThat(a.config().alpha()).isEqualTo(16.0);
        assertThat(a.config().dropout()).isEqualTo(0.0);
        assertThat(a.config().scaling()).isEqualTo(2.0);
        assertThat(a.config().targetModules()).containsExactlyInAnyOrder("c_attn", "c_proj", "c_fc");
        assertThat(a.baseModel()).isEqualTo("conformance/models/tiny-kogpt2");
        assertThat(a.baseWeightsSha256()).as("PEFT records no kotune sha256").isNull();
        // c_proj matches both attn.c_proj and mlp.c_proj: 3 layers x 4 modules x (A, B)
        assertThat(a.weights().size()).isEqualTo(24);
        assertThat(a.weights().get("h.0.attn.c_attn.lora_A.weight").shape()).containsExactly(8, 48);
        assertThat(a.weights().get("h.0.attn.c_attn.lora_B.weight").shape()).containsExactly(144, 8);
        assertThat(a.weights().get("h.2.mlp.c_proj.lora_A.weight").shape()).containsExactly(8, 192);
        assertThat(a.weights().get("h.2.mlp.c_proj.lora_B.weight").shape()).containsExactly(48, 8);
        assertThat(a.weights().get("h.1.mlp.c_fc.lora_B.weight").shape()).containsExactly(192, 8);
    }

    @Test
    void writesPeftsKeysShapesOrderAndConfigFields() throws Exception {
        PeftAdapter peft = PeftAdapter.read(peftDir());
        PeftAdapter ours = new PeftAdapter(peft.config(), peft.baseModel(), "ab".repeat(32), peft.weights());
        Path dir = ours.write(tmp.resolve("adapter"));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(PeftAdapter.CONFIG_FILE, PeftAdapter.WEIGHTS_FILE);
        }
        SafeTensors.Contents theirs = SafeTensors.read(peftDir().resolve(PeftAdapter.WEIGHTS_FILE));
        SafeTensors.Contents mine = SafeTensors.read(dir.resolve(PeftAdapter.WEIGHTS_FILE));
        assertThat(new ArrayList<>(mine.tensors().names()))
                .containsExactlyElementsOf(theirs.tensors().names());
        assertThat(mine.tensors().differences(theirs.tensors())).isEmpty();
        assertThat(mine.metadata())
                .containsEntry("format", "pt")
                .containsEntry(PeftAdapter.META_BASE, "conformance/models/tiny-kogpt2")
                .containsEntry(PeftAdapter.META_BASE_SHA256, "ab".repeat(32));
        JsonNode p = JSON.readTree(peftDir().resolve(PeftAdapter.CONFIG_FILE).toFile());
        JsonNode o = JSON.readTree(dir.resolve(PeftAdapter.CONFIG_FILE).toFile());
        for (String f : List.of(
                "peft_type",
                "task_type",
                "base_model_name_or_path",
                "r",
                "lora_alpha",
                "lora_dropout",
                "fan_in_fan_out",
                "bias",
                "use_rslora",
                "use_dora",
                "modules_to_save",
                "layers_to_transform",
                "rank_pattern",
                "alpha_pattern",
                "inference_mode")) {
            assertThat(o.get(f)).as(f).isEqualTo(p.get(f));
        }
        assertThat(set(o.get("target_modules"))).isEqualTo(set(p.get("target_modules")));
        // every field we write is one PEFT's LoraConfig knows (from_pretrained would warn on unknown keys)
        Set<String> peftFields = set(JSON.valueToTree(iterable(p.fieldNames())));
        assertThat(peftFields).containsAll(set(JSON.valueToTree(iterable(o.fieldNames()))));
        PeftAdapter back = PeftAdapter.read(dir);
        assertThat(back.config()).isEqualTo(peft.config());
        assertThat(back.baseWeightsSha256()).isEqualTo("ab".repeat(32));
    }

    @Test
    void refusesAnAdapterForAnotherBaseWithAHint() throws Exception {
        PeftAdapter peft = PeftAdapter.read(peftDir());
        PeftAdapter ours = new PeftAdapter(peft.config(), "base-a", "ab".repeat(32), peft.weights());
        ours.requireBase(tmp, "base-a", "AB".repeat(32)); // same sha (case-insensitive): accepted
        assertThatThrownBy(() -> ours.requireBase(tmp, "base-b", "cd".repeat(32)))
                .isInstanceOf(CheckpointMismatchException.class)
                .hasMessageContaining("trained on base base-a with weights sha256 " + "ab".repeat(32))
                .hasMessageContaining("offered base base-b has weights sha256 " + "cd".repeat(32))
                .hasMessageContaining("Hint: serve or merge it with the base it was trained on (base-a)");
        peft.requireBase(tmp, "anything", "cd".repeat(32)); // PEFT-made: no sha recorded, shapes decide later
    }

    @Test
    void refusesWhatItCannotApplyNamingTheField() throws Exception {
        for (var c : List.of(
                new String[] {"peft_type", "\"IA3\"", "peft_type is \"IA3\", only LORA"},
                new String[] {"use_dora", "true", "use_dora is true"},
                new String[] {"bias", "\"all\"", "bias is \"all\""},
                new String[] {"rank_pattern", "{\"c_fc\": 4}", "rank_pattern is not empty"},
                new String[] {"modules_to_save", "[\"lm_head\"]", "modules_to_save is set"},
                new String[] {"target_modules", "\".*c_attn\"", "target_modules is a regex"},
                new String[] {"r", "0", "r must be in [1, 1024], got 0"},
                new String[] {"lora_dropout", "1.5", "dropout must be in [0, 1), got 1.5"},
                new String[] {"target_modules", "[\"q_proj\"]", "'q_proj' matches no GPT-2 Conv1D"})) {
            Path dir = Files.createDirectories(tmp.resolve("bad-" + c[0] + c[1].hashCode()));
            ObjectNode cfg = (ObjectNode)
                    JSON.readTree(peftDir().resolve(PeftAdapter.CONFIG_FILE).toFile());
            cfg.set(c[0], JSON.readTree(c[1]));
            Files.writeString(dir.resolve(PeftAdapter.CONFIG_FILE), cfg.toString());
            Files.copy(peftDir().resolve(PeftAdapter.WEIGHTS_FILE), dir.resolve(PeftAdapter.WEIGHTS_FILE));
            assertThatThrownBy(() -> PeftAdapter.read(dir))
                    .as(c[0])
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(PeftAdapter.CONFIG_FILE)
                    .hasMessageContaining(c[2]);
        }
    }

    @Test
    void refusesTensorsThatDoNotFitTheConfig() throws Exception {
        PeftAdapter peft = PeftAdapter.read(peftDir());
        // r 4 in the config, r 8 tensors
        PeftAdapter wrongR =
                new PeftAdapter(LoraConfig.of(4, 16, 0, peft.config().targetModules()), null, null, peft.weights());
        Path d1 = wrongR.write(tmp.resolve("r4"));
        assertThatThrownBy(() -> PeftAdapter.read(d1))
                .hasMessageContaining("h.0.attn.c_attn.lora_A.weight has shape [8, 48], expected (4, in) for r 4");
        // only c_attn targeted, but c_fc tensors present
        PeftAdapter narrow = new PeftAdapter(LoraConfig.of(8, 16, 0, List.of("c_attn")), null, null, peft.weights());
        Path d2 = narrow.write(tmp.resolve("narrow"));
        assertThatThrownBy(() -> PeftAdapter.read(d2))
                .hasMessageContaining("is for module h.0.attn.c_proj, which target_modules [c_attn] does not name");
        // lora_A without lora_B
        StateDict half = new StateDict(null);
        half.put("h.0.attn.c_attn.lora_A.weight", peft.weights().get("h.0.attn.c_attn.lora_A.weight"));
        Path d3 = new PeftAdapter(peft.config(), null, null, half).write(tmp.resolve("half"));
        assertThatThrownBy(() -> PeftAdapter.read(d3)).hasMessageContaining("has no partner");
    }

    @Test
    void loraConfigFollowsPeftsTargetRuleAndValidates() {
        LoraConfig d = LoraConfig.defaults();
        assertThat(d.r()).isEqualTo(8);
        assertThat(d.alpha()).isEqualTo(16.0);
        assertThat(d.targetModules()).containsExactly("c_attn", "c_proj", "c_fc");
        assertThat(d.targetedModules(2))
                .containsExactly(
                        "h.0.attn.c_attn",
                        "h.0.attn.c_proj",
                        "h.0.mlp.c_fc",
                        "h.0.mlp.c_proj",
                        "h.1.attn.c_attn",
                        "h.1.attn.c_proj",
                        "h.1.mlp.c_fc",
                        "h.1.mlp.c_proj");
        assertThat(LoraConfig.of(8, 16, 0, List.of("attn.c_proj")).targetedModules(2))
                .containsExactly("h.0.attn.c_proj", "h.1.attn.c_proj");
        assertThat(LoraConfig.of(8, 16, 0, List.of("transformer.h.1.mlp.c_fc")).targetedModules(2))
                .containsExactly("h.1.mlp.c_fc");
        assertThat(new LoraConfig(16, 16, 0, List.of("c_attn"), true).scaling()).isEqualTo(4.0);
        assertThatThrownBy(() -> LoraConfig.of(0, -1, 1, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("r must be in [1, 1024], got 0")
                .hasMessageContaining("alpha must be in (0, 1e6], got -1.0")
                .hasMessageContaining("dropout must be in [0, 1), got 1.0")
                .hasMessageContaining("target_modules must name at least one");
    }

    @Test
    void contentSha256IsTheOraclesAndIgnoresTheFileFormat() throws Exception {
        JsonNode golden = JSON.readTree(
                RepoFiles.conformance("goldens/peft/lora_notebook.json").toFile());
        Checkpoint st = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2"));
        Checkpoint legacy = Checkpoint.read(RepoFiles.conformance("models/tiny-kogpt2-legacy-bin"));
        String sha = Gpt2Weights.contentSha256(st.weights(), st.config());
        assertThat(sha).isEqualTo(golden.get("base_weights_sha256").asText());
        assertThat(Gpt2Weights.contentSha256(legacy.weights(), legacy.config())).isEqualTo(sha);
        StateDict changed = new StateDict(null);
        st.weights().asMap().forEach(changed::put);
        float[] ln = st.weights().get("ln_f.bias").toArray();
        ln[0] = Math.nextUp(ln[0]);
        changed.put("ln_f.bias", FloatTensor.of(new int[] {ln.length}, ln));
        assertThat(Gpt2Weights.contentSha256(changed, st.config())).isNotEqualTo(sha);
    }

    private static Set<String> set(JsonNode arr) {
        Set<String> s = new HashSet<>();
        arr.forEach(x -> s.add(x.asText()));
        return s;
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        List<T> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }
}
