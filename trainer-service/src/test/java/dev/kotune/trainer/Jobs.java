package dev.kotune.trainer;

import dev.kotune.proto.training.v1.Dataset;
import dev.kotune.proto.training.v1.Example;
import dev.kotune.proto.training.v1.InlineExamples;
import dev.kotune.proto.training.v1.TrainingJobSpec;
import dev.kotune.proto.training.v1.TrainingJobSubmitted;

/** Submissions for tests: the notebook's job (12 inline examples, everything else left to the defaults). */
public final class Jobs {

    private Jobs() {}

    /** {@code n} inline examples "질문 i" / " 답변 i". */
    public static InlineExamples examples(int n) {
        InlineExamples.Builder b = InlineExamples.newBuilder();
        for (int i = 0; i < n; i++) {
            b.addExamples(Example.newBuilder().setPrompt("질문 " + i).setCompletion(" 답변 " + i));
        }
        return b.build();
    }

    /** A valid spec with 12 inline examples on skt/kogpt2-base-v2; everything else defaulted. */
    public static TrainingJobSpec.Builder validSpec() {
        return TrainingJobSpec.newBuilder()
                .setBaseModel("skt/kogpt2-base-v2")
                .setDataset(Dataset.newBuilder().setInline(examples(12)));
    }

    public static TrainingJobSubmitted submitted(TrainingJobSpec.Builder spec) {
        return TrainingJobSubmitted.newBuilder()
                .setSpec(spec)
                .setSubmittedBy("test")
                .build();
    }
}
