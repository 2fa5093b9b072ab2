package dev.kotune.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.inference.domain.GenerationSettings;
import dev.kotune.inference.domain.InvalidRequestException;
import dev.kotune.inference.domain.Prompt;
import dev.kotune.inference.domain.RequestedParameters;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ParameterValidatorTest {

    private static final UnaryOperator<String> SAME = UnaryOperator.identity();

    @Test
    void fillsHuggingFaceDefaultsForUnsetParameters() {
        GenerationSettings s = ParameterValidator.validate(Prompt.ofText("안녕"), RequestedParameters.none(), SAME);
        assertThat(s).isEqualTo(new GenerationSettings(null, null, 0, false, 1.0, 50, 1.0, 1.0, 0, List.of(), null,
                null, true));
        assertThat(s.effectiveMaxLength()).isEqualTo(64);
    }

    @Test
    void acceptsEveryUpperAndLowerBoundOfTheProtoRanges() {
        RequestedParameters edges = new RequestedParameters(1, 2, 1, true, 100.0, 0, 1.0, 10.0, 16,
                Collections.nCopies(8, "x".repeat(256)), 7L, 20, false);
        GenerationSettings s = ParameterValidator.validate(Prompt.ofIds(List.of(0)), edges, SAME);
        assertThat(s.temperature()).isEqualTo(100.0);
        assertThat(s.noRepeatNgramSize()).isEqualTo(16);
        assertThat(s.stop()).hasSize(8);
        assertThat(s.stopAtEos()).isFalse();
        RequestedParameters small = new RequestedParameters(null, null, 0, true, 1e-6, null, 1e-6, 1e-6, 0,
                List.of("a"), null, 0, null);
        assertThat(ParameterValidator.validate(Prompt.ofText("a"), small, SAME).topP()).isEqualTo(1e-6);
    }

    @Test
    void rejectsNotANumber() {
        RequestedParameters nan = new RequestedParameters(null, null, null, true, Double.NaN, null, null, null, null,
                List.of(), null, null, null);
        assertThatThrownBy(() -> ParameterValidator.validate(Prompt.ofText("a"), nan, SAME))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("temperature: must be in (0, 100], got NaN");
    }
}
