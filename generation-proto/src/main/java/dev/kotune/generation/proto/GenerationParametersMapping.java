package dev.kotune.generation.proto;

import dev.kotune.engine.SamplingParams;
import dev.kotune.proto.inference.v1.GenerationParameters;

/**
 * The one mapping between the proto {@code kotune.inference.v1.GenerationParameters} (gRPC generation requests,
 * training jobs' evaluation settings) and the engine's generation contract {@link SamplingParams}: unset proto
 * fields stay "not given", so the contract's defaults and rules apply; nothing is validated here. Stateless.
 */
public final class GenerationParametersMapping {

    private GenerationParametersMapping() {}

    /** The contract builder for {@code p}: unset fields are left to the contract's defaults. */
    public static SamplingParams.Builder toBuilder(GenerationParameters p) {
        return SamplingParams.builder()
                .maxNewTokens(p.hasMaxNewTokens() ? p.getMaxNewTokens() : null)
                .maxLength(p.hasMaxLength() ? p.getMaxLength() : null)
                .minNewTokens(p.hasMinNewTokens() ? p.getMinNewTokens() : null)
                .doSample(p.hasDoSample() ? p.getDoSample() : null)
                .temperature(p.hasTemperature() ? decimal(p.getTemperature()) : null)
                .topK(p.hasTopK() ? p.getTopK() : null)
                .topP(p.hasTopP() ? decimal(p.getTopP()) : null)
                .repetitionPenalty(p.hasRepetitionPenalty() ? decimal(p.getRepetitionPenalty()) : null)
                .noRepeatNgramSize(p.hasNoRepeatNgramSize() ? p.getNoRepeatNgramSize() : null)
                .stopStrings(p.getStopList())
                .stopTokenIds(p.getStopTokenIdsList())
                .includeStopStrInOutput(p.hasIncludeStopStrInOutput() ? p.getIncludeStopStrInOutput() : null)
                .seed(p.hasSeed() ? p.getSeed() : null)
                .logprobs(p.hasLogprobs() ? p.getLogprobs() : null)
                .promptLogprobs(p.hasPromptLogprobs() ? p.getPromptLogprobs() : null)
                .ignoreEos(p.hasStopAtEos() ? !p.getStopAtEos() : null)
                .frequencyPenalty(p.hasFrequencyPenalty() ? decimal(p.getFrequencyPenalty()) : null)
                .presencePenalty(p.hasPresencePenalty() ? decimal(p.getPresencePenalty()) : null)
                .logitBias(p.getLogitBiasMap().entrySet().stream()
                        .collect(java.util.stream.Collectors.toMap(
                                java.util.Map.Entry::getKey, e -> decimal(e.getValue()))));
    }

    /** The decimal a client wrote (0.3f → 0.3, not 0.30000001192092896): proto floats are the clients' decimals. */
    private static Double decimal(float f) {
        return Double.valueOf(Float.toString(f));
    }

    /** Every resolved setting of {@code s}, so that a reader of the proto sees what ran. */
    public static GenerationParameters toProto(SamplingParams s) {
        GenerationParameters.Builder b = GenerationParameters.newBuilder()
                .setMaxLength(s.maxLength())
                .setMinNewTokens(s.minNewTokens())
                .setDoSample(s.doSample())
                .setTemperature((float) s.temperature())
                .setTopK(s.topK())
                .setTopP((float) s.topP())
                .setRepetitionPenalty((float) s.repetitionPenalty())
                .setNoRepeatNgramSize(s.noRepeatNgramSize())
                .addAllStop(s.stopStrings())
                .addAllStopTokenIds(s.stopTokenIds())
                .setIncludeStopStrInOutput(s.includeStopStrInOutput())
                .setStopAtEos(!s.ignoreEos())
                .setFrequencyPenalty((float) s.frequencyPenalty())
                .setPresencePenalty((float) s.presencePenalty());
        s.logitBias().forEach((id, bias) -> b.putLogitBias(id, bias.floatValue()));
        if (s.maxNewTokens() != null) {
            b.setMaxNewTokens(s.maxNewTokens());
        }
        if (s.seed() != null) {
            b.setSeed(s.seed());
        }
        if (s.logprobs() != null) {
            b.setLogprobs(s.logprobs());
        }
        if (s.promptLogprobs() != null) {
            b.setPromptLogprobs(s.promptLogprobs());
        }
        return b.build();
    }
}
