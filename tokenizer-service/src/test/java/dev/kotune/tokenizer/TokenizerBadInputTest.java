package dev.kotune.tokenizer;

import static dev.kotune.tokenizer.TokenizerGrpcServiceTest.CANONICAL;
import static dev.kotune.tokenizer.TokenizerGrpcServiceTest.CANONICAL_IDS;
import static dev.kotune.tokenizer.TokenizerGrpcServiceTest.failure;
import static dev.kotune.tokenizer.TokenizerGrpcServiceTest.notebookExamples;
import static dev.kotune.tokenizer.TokenizerGrpcServiceTest.stub;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kotune.proto.tokenizer.v1.BatchEncodeRequest;
import dev.kotune.proto.tokenizer.v1.CountTokensRequest;
import dev.kotune.proto.tokenizer.v1.DecodeRequest;
import dev.kotune.proto.tokenizer.v1.EncodeRequest;
import dev.kotune.proto.tokenizer.v1.Example;
import dev.kotune.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.kotune.proto.tokenizer.v1.PrepareExamplesRequest;
import dev.kotune.proto.tokenizer.v1.TokenIds;
import dev.kotune.proto.tokenizer.v1.TokenizerRef;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.util.Collections;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each bad input gets its status code and a description naming the field and the rule; the service keeps serving. */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class TokenizerBadInputTest {
    private final TokenizerGrpcServiceTest connection = new TokenizerGrpcServiceTest();

    @BeforeEach
    void connect() {
        connection.connect();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        TokenizerGrpcServiceTest.disconnect();
    }

    @AfterEach
    void stillServing() {
        assertThat(stub().encode(EncodeRequest.newBuilder().setText(CANONICAL).build())
                        .getEncoding()
                        .getIdsList())
                .containsExactlyElementsOf(CANONICAL_IDS);
    }

    @Test
    void rejectsEmptyAndWhitespaceText() {
        assertThat(failure(
                        Status.Code.INVALID_ARGUMENT,
                        s -> s.encode(EncodeRequest.newBuilder().setText("").build())))
                .startsWith("text:")
                .contains("empty or only whitespace");
        assertThat(failure(
                        Status.Code.INVALID_ARGUMENT,
                        s -> s.encode(EncodeRequest.newBuilder()
                                .setText(" \t\n\u3000")
                                .build())))
                .startsWith("text:");
        assertThat(failure(
                        Status.Code.INVALID_ARGUMENT,
                        s -> s.batchEncode(BatchEncodeRequest.newBuilder()
                                .addTexts("안녕")
                                .addTexts("  ")
                                .build())))
                .startsWith("texts[1]:");
        assertThat(failure(
                        Status.Code.INVALID_ARGUMENT,
                        s -> s.countTokens(
                                CountTokensRequest.newBuilder().addTexts("").build())))
                .startsWith("texts[0]:");
    }

    @Test
    void rejectsTextOverTheConfiguredSize() {
        String big = "가".repeat(349_526); // 1,048,578 bytes of UTF-8: just over 1 MiB

        assertThat(failure(
                        Status.Code.INVALID_ARGUMENT,
                        s -> s.encode(EncodeRequest.newBuilder().setText(big).build())))
                .startsWith("text:")
                .contains("at most 1048576 bytes")
                .contains("1048578");
    }

    @Test
    void acceptsTextOfExactlyTheConfiguredSize() {
        String atLimit = "a".repeat(1 << 20);

        assertThat(stub().countTokens(CountTokensRequest.newBuilder()
                                .addTexts(atLimit)
                                .build())
                        .getCounts(0))
                .isPositive();
    }

    @Test
    void rejectsBatchesOverTheLimitAndEmptyBatches() {
        BatchEncodeRequest tooMany = BatchEncodeRequest.newBuilder()
                .addAllTexts(Collections.nCopies(1025, "안녕"))
                .build();

        assertThat(failure(Status.Code.INVALID_ARGUMENT, s -> s.batchEncode(tooMany)))
                .startsWith("texts:")
                .contains("1 to 1024")
                .contains("1025");
        assertThat(failure(Status.Code.INVALID_ARGUMENT, s -> s.batchEncode(BatchEncodeRequest.getDefaultInstance())))
                .startsWith("texts:");
        assertThat(failure(Status.Code.INVALID_ARGUMENT, s -> s.decode(DecodeRequest.getDefaultInstance())))
                .startsWith("sequences:");
        assertThat(failure(
                        Status.Code.INVALID_ARGUMENT,
                        s -> s.prepareExamples(PrepareExamplesRequest.getDefaultInstance())))
                .startsWith("examples:");
    }

    @Test
    void rejectsUnknownTokenizers() {
        TokenizerRef missingPath =
                TokenizerRef.newBuilder().setName("/nope/tokenizer.json").build();
        TokenizerRef unknownRepo =
                TokenizerRef.newBuilder().setName("nobody/no-such-model").build();
        TokenizerRef unknownRevision = TokenizerRef.newBuilder()
                .setName(HubTestResource.REPO)
                .setRevision("v9")
                .build();

        assertThat(failure(
                        Status.Code.NOT_FOUND,
                        s -> s.getTokenizerInfo(GetTokenizerInfoRequest.newBuilder()
                                .setTokenizer(missingPath)
                                .build())))
                .contains("/nope/tokenizer.json");
        assertThat(failure(
                        Status.Code.NOT_FOUND,
                        s -> s.encode(EncodeRequest.newBuilder()
                                .setTokenizer(unknownRepo)
                                .setText("안녕")
                                .build())))
                .contains("nobody/no-such-model");
        assertThat(failure(
                        Status.Code.NOT_FOUND,
                        s -> s.encode(EncodeRequest.newBuilder()
                                .setTokenizer(unknownRevision)
                                .setText("안녕")
                                .build())))
                .contains("v9");
    }

    @Test
    void rejectsAMalformedRevision() {
        TokenizerRef ref = TokenizerRef.newBuilder()
                .setName(HubTestResource.REPO)
                .setRevision("../../x")
                .build();

        assertThat(failure(
                        Status.Code.INVALID_ARGUMENT,
                        s -> s.getTokenizerInfo(GetTokenizerInfoRequest.newBuilder()
                                .setTokenizer(ref)
                                .build())))
                .startsWith("tokenizer.revision:");
    }

    @Test
    void rejectsMaxLengthZeroOrAboveTheModelMaximum() throws IOException {
        for (int bad : new int[] {0, -5, 1025}) {
            PrepareExamplesRequest req = PrepareExamplesRequest.newBuilder()
                    .addAllExamples(notebookExamples())
                    .setMaxLength(bad)
                    .build();

            assertThat(failure(Status.Code.INVALID_ARGUMENT, s -> s.prepareExamples(req)))
                    .startsWith("max_length:")
                    .contains("[1, 1024]")
                    .contains(String.valueOf(bad));
        }
    }

    @Test
    void rejectsATemplateWithoutPrompt() throws IOException {
        PrepareExamplesRequest req = PrepareExamplesRequest.newBuilder()
                .addAllExamples(notebookExamples())
                .setTemplate("답변:{completion}")
                .build();

        assertThat(failure(Status.Code.INVALID_ARGUMENT, s -> s.prepareExamples(req)))
                .startsWith("template:")
                .contains("{prompt}");
    }

    @Test
    void rejectsBlankPromptsAndEmptyCompletions() {
        PrepareExamplesRequest blankPrompt = PrepareExamplesRequest.newBuilder()
                .addExamples(Example.newBuilder().setPrompt("안녕?").setCompletion(" 네"))
                .addExamples(Example.newBuilder().setPrompt("  ").setCompletion(" 네"))
                .build();
        PrepareExamplesRequest emptyCompletion = PrepareExamplesRequest.newBuilder()
                .addExamples(Example.newBuilder().setPrompt("안녕?"))
                .build();

        assertThat(failure(Status.Code.INVALID_ARGUMENT, s -> s.prepareExamples(blankPrompt)))
                .startsWith("examples[1].prompt:");
        assertThat(failure(Status.Code.INVALID_ARGUMENT, s -> s.prepareExamples(emptyCompletion)))
                .startsWith("examples[0].completion:");
    }

    @Test
    void rejectsAnUnknownPaddingValue() throws IOException {
        PrepareExamplesRequest req = PrepareExamplesRequest.newBuilder()
                .addAllExamples(notebookExamples())
                .setPaddingValue(42)
                .build();

        assertThat(failure(Status.Code.INVALID_ARGUMENT, s -> s.prepareExamples(req)))
                .startsWith("padding:")
                .contains("42");
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() {
        DecodeRequest req = DecodeRequest.newBuilder()
                .addSequences(TokenIds.newBuilder().addIds(25906))
                .addSequences(TokenIds.newBuilder().addIds(25906).addIds(51200))
                .build();

        assertThat(failure(Status.Code.INVALID_ARGUMENT, s -> s.decode(req)))
                .startsWith("sequences[1].ids[1]:")
                .contains("[0, 51200)");
    }
}
