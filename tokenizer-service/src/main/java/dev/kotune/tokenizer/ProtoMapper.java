package dev.kotune.tokenizer;

import dev.kotune.proto.tokenizer.v1.Encoding;
import dev.kotune.proto.tokenizer.v1.GetTokenizerInfoResponse;
import dev.kotune.proto.tokenizer.v1.Offset;
import dev.kotune.proto.tokenizer.v1.PrepareExamplesRequest;
import dev.kotune.proto.tokenizer.v1.PrepareExamplesResponse;
import dev.kotune.proto.tokenizer.v1.PreparedExample;
import dev.kotune.proto.tokenizer.v1.SpecialTokenRole;
import dev.kotune.tokenization.Example;
import dev.kotune.tokenization.InvalidInputException;
import dev.kotune.tokenization.Padding;
import dev.kotune.tokenization.PrepareOptions;
import dev.kotune.tokenization.PreparedBatch;
import dev.kotune.tokenization.PromptTemplate;
import dev.kotune.tokenization.SpecialToken;
import dev.kotune.tokenization.TokenEncoding;
import dev.kotune.tokenization.TokenOffset;
import dev.kotune.tokenization.TokenizerInfo;
import java.util.ArrayList;
import java.util.List;

/** Maps between the generated proto messages and the tokenization library's records. Stateless, thread-safe. */
final class ProtoMapper {
    private ProtoMapper() {}

    static Encoding encoding(TokenEncoding enc) {
        Encoding.Builder b = Encoding.newBuilder();
        for (int id : enc.ids()) {
            b.addIds(id);
        }
        b.addAllTokens(enc.tokens());
        for (TokenOffset o : enc.offsets()) {
            b.addOffsets(Offset.newBuilder().setStart(o.start()).setEnd(o.end()));
        }
        return b.build();
    }

    static Encoding encoding(int[] ids) {
        Encoding.Builder b = Encoding.newBuilder();
        for (int id : ids) {
            b.addIds(id);
        }
        return b.build();
    }

    static int[] ids(List<Integer> ids) {
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i);
        }
        return out;
    }

    static GetTokenizerInfoResponse info(TokenizerInfo info) {
        GetTokenizerInfoResponse.Builder b = GetTokenizerInfoResponse.newBuilder()
                .setSource(info.source())
                .setVocabSize(info.vocabSize())
                .setModelMaxLength(info.modelMaxLength())
                .setTokenizerSha256(info.sha256());
        for (SpecialToken t : info.specialTokens()) {
            b.addSpecialTokens(dev.kotune.proto.tokenizer.v1.SpecialToken.newBuilder()
                    .setToken(t.token())
                    .setId(t.id())
                    .setRole(role(t.role())));
        }
        return b.build();
    }

    private static SpecialTokenRole role(dev.kotune.tokenization.SpecialTokenRole role) {
        return switch (role) {
            case BOS -> SpecialTokenRole.SPECIAL_TOKEN_ROLE_BOS;
            case EOS -> SpecialTokenRole.SPECIAL_TOKEN_ROLE_EOS;
            case PAD -> SpecialTokenRole.SPECIAL_TOKEN_ROLE_PAD;
            case UNK -> SpecialTokenRole.SPECIAL_TOKEN_ROLE_UNK;
            case MASK -> SpecialTokenRole.SPECIAL_TOKEN_ROLE_MASK;
            case OTHER -> SpecialTokenRole.SPECIAL_TOKEN_ROLE_OTHER;
        };
    }

    static List<Example> examples(PrepareExamplesRequest request) {
        List<Example> out = new ArrayList<>(request.getExamplesCount());
        for (dev.kotune.proto.tokenizer.v1.Example e : request.getExamplesList()) {
            out.add(new Example(e.getPrompt(), e.getCompletion()));
        }
        return out;
    }

    /** Request options with the proto's documented defaults for unset fields. */
    static PrepareOptions options(PrepareExamplesRequest request) {
        PromptTemplate template =
                request.getTemplate().isEmpty() ? PromptTemplate.NOTEBOOK : new PromptTemplate(request.getTemplate());
        boolean appendEos = !request.hasAppendEos() || request.getAppendEos();
        int maxLength = request.hasMaxLength() ? request.getMaxLength() : PrepareOptions.DEFAULT_MAX_LENGTH;
        return new PrepareOptions(template, appendEos, maxLength, padding(request), request.getCompletionOnly());
    }

    private static Padding padding(PrepareExamplesRequest request) {
        return switch (request.getPadding()) {
            case PADDING_UNSPECIFIED, PADDING_MAX_LENGTH -> Padding.MAX_LENGTH;
            case PADDING_LONGEST -> Padding.LONGEST;
            case PADDING_NONE -> Padding.NONE;
            case UNRECOGNIZED ->
                throw new InvalidInputException(
                        "padding",
                        "must be PADDING_MAX_LENGTH, PADDING_LONGEST or PADDING_NONE, got "
                                + request.getPaddingValue());
        };
    }

    static PrepareExamplesResponse prepared(PreparedBatch batch) {
        PrepareExamplesResponse.Builder b = PrepareExamplesResponse.newBuilder()
                .setTokenizerSha256(batch.tokenizerSha256())
                .setTruncatedCount(batch.truncatedCount());
        for (dev.kotune.tokenization.PreparedExample row : batch.examples()) {
            PreparedExample.Builder r = PreparedExample.newBuilder()
                    .setTruncated(row.truncated())
                    .setLength(row.length())
                    .setPromptLength(row.promptLength());
            for (int i = 0; i < row.inputIds().length; i++) {
                r.addInputIds(row.inputIds()[i]);
                r.addAttentionMask(row.attentionMask()[i]);
                r.addLabels(row.labels()[i]);
            }
            b.addExamples(r);
        }
        return b.build();
    }
}
