package dev.kotune.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kotune.proto.tokenizer.v1.BatchEncodeRequest;
import dev.kotune.proto.tokenizer.v1.BatchEncodeResponse;
import dev.kotune.proto.tokenizer.v1.CountTokensRequest;
import dev.kotune.proto.tokenizer.v1.CountTokensResponse;
import dev.kotune.proto.tokenizer.v1.DecodeRequest;
import dev.kotune.proto.tokenizer.v1.DecodeResponse;
import dev.kotune.proto.tokenizer.v1.EncodeRequest;
import dev.kotune.proto.tokenizer.v1.EncodeResponse;
import dev.kotune.proto.tokenizer.v1.Example;
import dev.kotune.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.kotune.proto.tokenizer.v1.GetTokenizerInfoResponse;
import dev.kotune.proto.tokenizer.v1.Offset;
import dev.kotune.proto.tokenizer.v1.Padding;
import dev.kotune.proto.tokenizer.v1.PrepareExamplesRequest;
import dev.kotune.proto.tokenizer.v1.PrepareExamplesResponse;
import dev.kotune.proto.tokenizer.v1.PreparedExample;
import dev.kotune.proto.tokenizer.v1.SpecialToken;
import dev.kotune.proto.tokenizer.v1.SpecialTokenRole;
import dev.kotune.proto.tokenizer.v1.TokenIds;
import dev.kotune.proto.tokenizer.v1.TokenizerRef;
import dev.kotune.proto.tokenizer.v1.TokenizerServiceGrpc;
import dev.kotune.testing.RepoFiles;
import dev.kotune.testing.SharedData;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The started service answered over loopback by a plain grpc-java client: every RPC on KoGPT2's real tokenizer,
 * compared with the Python oracle's goldens where they exist, and every bad input with its status code.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class TokenizerGrpcServiceTest {
    static final String CANONICAL = "질문: 안녕하세요?\n답변: 안녕하세요! 무엇을 도와드릴까요?";
    static final List<Integer> CANONICAL_IDS = List.of(
            24454, 401, 25906, 8702, 7801, 13675, 7192, 7643, 401, 25906, 8702, 7801, 8084, 376, 22375, 14355, 7281,
            7481, 6969, 8084, 406);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ManagedChannel channel;
    static TokenizerServiceGrpc.TokenizerServiceBlockingStub stub;

    @BeforeEach
    void connect() {
        SharedData.require("kogpt2/tokenizer.json");
        if (channel == null) {
            int port = ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
            channel = ManagedChannelBuilder.forAddress("127.0.0.1", port)
                    .usePlaintext()
                    .build();
            stub = TokenizerServiceGrpc.newBlockingStub(channel);
        }
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            channel = null;
        }
    }

    static TokenizerServiceGrpc.TokenizerServiceBlockingStub stub() {
        return stub.withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Test
    void encodeReturnsTheNotebookIdsTokensAndOffsets() {
        EncodeResponse resp = stub().encode(EncodeRequest.newBuilder()
                .setText(CANONICAL)
                .setIncludeTokens(true)
                .setIncludeOffsets(true)
                .build());

        assertThat(resp.getEncoding().getIdsList()).containsExactlyElementsOf(CANONICAL_IDS);
        assertThat(resp.getEncoding().getTokensList()).startsWith("▁질문", ":", "▁안녕");
        assertThat(resp.getEncoding().getOffsetsList())
                .startsWith(
                        Offset.newBuilder().setStart(0).setEnd(2).build(),
                        Offset.newBuilder().setStart(2).setEnd(3).build());
    }

    @Test
    void encodeGivesOffsetsInJavaStringIndices() {
        EncodeResponse resp = stub().encode(EncodeRequest.newBuilder()
                .setText("😂😂")
                .setIncludeOffsets(true)
                .build());

        assertThat(resp.getEncoding().getOffsetsList())
                .containsExactly(
                        Offset.newBuilder().setStart(0).setEnd(2).build(),
                        Offset.newBuilder().setStart(2).setEnd(4).build());
    }

    @Test
    void batchEncodeEqualsSingleEncodesInOrder() throws IOException {
        List<String> texts = new ArrayList<>();
        golden("tokenizer/encode_decode_cases.json").path("encode_cases").forEach(c -> {
            if (!c.path("text").asText().isBlank()) {
                texts.add(c.path("text").asText());
            }
        });

        BatchEncodeResponse plain = stub().batchEncode(
                        BatchEncodeRequest.newBuilder().addAllTexts(texts).build());
        BatchEncodeResponse rich = stub().batchEncode(BatchEncodeRequest.newBuilder()
                .addAllTexts(texts)
                .setIncludeTokens(true)
                .setIncludeOffsets(true)
                .build());

        assertThat(plain.getEncodingsCount()).isEqualTo(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            EncodeResponse single = stub().encode(EncodeRequest.newBuilder()
                    .setText(texts.get(i))
                    .setIncludeTokens(true)
                    .setIncludeOffsets(true)
                    .build());
            assertThat(rich.getEncodings(i)).isEqualTo(single.getEncoding());
            assertThat(plain.getEncodings(i).getIdsList())
                    .isEqualTo(single.getEncoding().getIdsList());
            assertThat(plain.getEncodings(i).getTokensList()).isEmpty();
        }
    }

    @Test
    void encodeMatchesTheOracleOnItsEdgeCases() throws IOException {
        for (JsonNode c : golden("tokenizer/encode_decode_cases.json").path("encode_cases")) {
            String text = c.path("text").asText();
            if (text.isBlank()) {
                continue; // blank texts are refused by the API (see rejectsEmptyAndWhitespaceText)
            }
            List<Integer> expected = new ArrayList<>();
            c.path("ids").forEach(id -> expected.add(id.asInt()));

            assertThat(stub().encode(EncodeRequest.newBuilder().setText(text).build())
                            .getEncoding()
                            .getIdsList())
                    .as(text)
                    .containsExactlyElementsOf(expected);
        }
    }

    @Test
    void decodeMatchesTheOracleWithAndWithoutSpecialTokens() throws IOException {
        JsonNode cases = golden("tokenizer/encode_decode_cases.json").path("decode_cases");
        DecodeRequest.Builder req = DecodeRequest.newBuilder();
        for (JsonNode c : cases) {
            TokenIds.Builder ids = TokenIds.newBuilder();
            c.path("ids").forEach(id -> ids.addIds(id.asInt()));
            req.addSequences(ids);
        }

        DecodeResponse kept = stub().decode(req.setSkipSpecialTokens(false).build());
        DecodeResponse skipped = stub().decode(req.setSkipSpecialTokens(true).build());

        for (int i = 0; i < cases.size(); i++) {
            assertThat(kept.getTexts(i))
                    .isEqualTo(cases.get(i).path("skip_special_tokens_false").asText());
            assertThat(skipped.getTexts(i))
                    .isEqualTo(cases.get(i).path("skip_special_tokens_true").asText());
        }
    }

    @Test
    void countTokensCountsEachTextAndTheTotal() {
        CountTokensResponse resp = stub().countTokens(CountTokensRequest.newBuilder()
                .addTexts(CANONICAL)
                .addTexts("안녕")
                .addTexts("😂😂")
                .build());

        assertThat(resp.getCountsList()).containsExactly(CANONICAL_IDS.size(), 1, 2);
        assertThat(resp.getTotal()).isEqualTo(CANONICAL_IDS.size() + 3);
    }

    @Test
    void getTokenizerInfoDescribesKoGpt2() {
        GetTokenizerInfoResponse info = stub().getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance());

        assertThat(info.getSource()).endsWith("kogpt2/tokenizer.json");
        assertThat(info.getVocabSize()).isEqualTo(51200);
        assertThat(info.getModelMaxLength()).isEqualTo(1024);
        assertThat(info.getTokenizerSha256())
                .isEqualTo("e0fa8faff40e3cc7a8e1a79c999b8861971993e8aa674924042eebe6551bb45f");
        assertThat(info.getSpecialTokensList())
                .contains(
                        special("</s>", 1, SpecialTokenRole.SPECIAL_TOKEN_ROLE_BOS),
                        special("</s>", 1, SpecialTokenRole.SPECIAL_TOKEN_ROLE_EOS),
                        special("<pad>", 3, SpecialTokenRole.SPECIAL_TOKEN_ROLE_PAD),
                        special("<unk>", 5, SpecialTokenRole.SPECIAL_TOKEN_ROLE_UNK),
                        special("<mask>", 6, SpecialTokenRole.SPECIAL_TOKEN_ROLE_MASK),
                        special("<s>", 0, SpecialTokenRole.SPECIAL_TOKEN_ROLE_OTHER),
                        special("<usr>", 2, SpecialTokenRole.SPECIAL_TOKEN_ROLE_OTHER),
                        special("<sys>", 4, SpecialTokenRole.SPECIAL_TOKEN_ROLE_OTHER));
    }

    @Test
    void aNamedDirectoryTokenizerIsLoadedAndUsed() {
        String dir = SharedData.require("hf-fake-gpt2").toString();
        TokenizerRef ref = TokenizerRef.newBuilder().setName(dir).build();

        GetTokenizerInfoResponse info = stub().getTokenizerInfo(
                        GetTokenizerInfoRequest.newBuilder().setTokenizer(ref).build());
        EncodeResponse enc = stub().encode(EncodeRequest.newBuilder()
                .setTokenizer(ref)
                .setText("Hello world")
                .build());

        assertThat(info.getVocabSize()).isEqualTo(50257);
        assertThat(enc.getEncoding().getIdsList()).containsExactly(15496, 995);
    }

    @Test
    void aHubIdIsDownloadedThroughTheCacheAndServed() {
        TokenizerRef ref =
                TokenizerRef.newBuilder().setName(HubTestResource.REPO).build();

        GetTokenizerInfoResponse info = stub().getTokenizerInfo(
                        GetTokenizerInfoRequest.newBuilder().setTokenizer(ref).build());
        EncodeResponse enc = stub().encode(EncodeRequest.newBuilder()
                .setTokenizer(ref)
                .setText(CANONICAL)
                .build());

        assertThat(info.getSource()).isEqualTo(HubTestResource.REPO + "@main");
        assertThat(info.getTokenizerSha256())
                .isEqualTo("e0fa8faff40e3cc7a8e1a79c999b8861971993e8aa674924042eebe6551bb45f");
        assertThat(enc.getEncoding().getIdsList()).containsExactlyElementsOf(CANONICAL_IDS);
    }

    @Test
    void prepareExamplesWithDefaultsEqualsTheNotebookGolden() throws IOException {
        JsonNode golden = golden("prepare/notebook_examples.json");
        JsonNode expected = caseNamed(golden, "max_length-64-full");

        PrepareExamplesResponse resp = stub().prepareExamples(PrepareExamplesRequest.newBuilder()
                .addAllExamples(notebookExamples())
                .build());

        assertRows(resp, expected);
        assertThat(resp.getTokenizerSha256())
                .isEqualTo(golden.path("tokenizer").path("sha256").asText());
        assertThat(resp.getTruncatedCount()).isZero();
        assertThat(resp.getExamples(0).getPromptLength()).isEqualTo(9);
    }

    @Test
    void prepareExamplesCompletionOnlyTruncatedEqualsTheGolden() throws IOException {
        JsonNode expected = caseNamed(golden("prepare/notebook_examples.json"), "longest-12-completion_only");

        PrepareExamplesResponse resp = stub().prepareExamples(PrepareExamplesRequest.newBuilder()
                .addAllExamples(notebookExamples())
                .setMaxLength(12)
                .setPadding(Padding.PADDING_LONGEST)
                .setCompletionOnly(true)
                .build());

        assertRows(resp, expected);
        assertThat(resp.getTruncatedCount()).isEqualTo(4);
    }

    @Test
    void prepareExamplesWithoutPaddingOrEosKeepsEachLength() throws IOException {
        PrepareExamplesResponse resp = stub().prepareExamples(PrepareExamplesRequest.newBuilder()
                .addAllExamples(notebookExamples())
                .setPadding(Padding.PADDING_NONE)
                .setAppendEos(false)
                .build());

        JsonNode untruncated = golden("prepare/notebook_examples.json").path("untruncated");
        for (int i = 0; i < resp.getExamplesCount(); i++) {
            PreparedExample row = resp.getExamples(i);
            int withEos = untruncated.get(i).path("ids").size();
            assertThat(row.getInputIdsCount()).isEqualTo(withEos - 1);
            assertThat(row.getLength()).isEqualTo(withEos - 1);
            assertThat(row.getInputIdsList()).doesNotContain(1, 3);
        }
    }

    @Test
    void parallelCallsAllGetTheirOwnAnswer() throws Exception {
        List<String> texts = List.of(CANONICAL, "안녕", "오늘 날씨 어때?", "배고파", "잠이 안 와");
        List<List<Integer>> expected = new ArrayList<>();
        for (String t : texts) {
            expected.add(stub().encode(EncodeRequest.newBuilder().setText(t).build())
                    .getEncoding()
                    .getIdsList());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<BatchEncodeResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                List<String> rotated = new ArrayList<>(texts);
                Collections.rotate(rotated, i);
                calls.add(pool.submit(() -> stub().batchEncode(BatchEncodeRequest.newBuilder()
                        .addAllTexts(rotated)
                        .build())));
            }
            for (int i = 0; i < calls.size(); i++) {
                BatchEncodeResponse resp = calls.get(i).get(60, TimeUnit.SECONDS);
                for (int j = 0; j < texts.size(); j++) {
                    int original = Math.floorMod(j - i, texts.size());
                    assertThat(resp.getEncodings(j).getIdsList()).isEqualTo(expected.get(original));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void assertRows(PrepareExamplesResponse resp, JsonNode expected) {
        assertThat(resp.getExamplesCount()).isEqualTo(expected.path("input_ids").size());
        for (int i = 0; i < resp.getExamplesCount(); i++) {
            PreparedExample row = resp.getExamples(i);
            assertThat(row.getInputIdsList())
                    .as("input_ids[%d]", i)
                    .isEqualTo(ints(expected.path("input_ids").get(i)));
            assertThat(row.getAttentionMaskList())
                    .as("attention_mask[%d]", i)
                    .isEqualTo(ints(expected.path("attention_mask").get(i)));
            assertThat(row.getLabelsList())
                    .as("labels[%d]", i)
                    .isEqualTo(ints(expected.path("labels").get(i)));
            assertThat(row.getLength())
                    .isEqualTo(expected.path("lengths").get(i).asInt());
            assertThat(row.getTruncated())
                    .isEqualTo(expected.path("truncated").get(i).asBoolean());
        }
    }

    static List<Example> notebookExamples() throws IOException {
        List<Example> out = new ArrayList<>();
        for (JsonNode e : JSON.readTree(
                RepoFiles.conformance("data/notebook_examples.json").toFile())) {
            out.add(Example.newBuilder()
                    .setPrompt(e.path("prompt").asText())
                    .setCompletion(e.path("completion").asText())
                    .build());
        }
        return out;
    }

    static JsonNode golden(String relative) throws IOException {
        return JSON.readTree(RepoFiles.conformance("goldens/" + relative).toFile());
    }

    private static JsonNode caseNamed(JsonNode golden, String name) {
        for (JsonNode c : golden.path("cases")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no golden case " + name);
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static SpecialToken special(String token, int id, SpecialTokenRole role) {
        return SpecialToken.newBuilder().setToken(token).setId(id).setRole(role).build();
    }

    /** Calls {@code rpc}, expects it to fail with {@code code}, and returns the description. */
    static String failure(Status.Code code, Consumer<TokenizerServiceGrpc.TokenizerServiceBlockingStub> rpc) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> rpc.accept(stub()));
        assertThat(e).as("expected %s", code).isNotNull();
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
        return e.getStatus().getDescription();
    }
}
