package dev.kotune.tokenization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads what {@link TokenizerInfo} reports from the tokenizer files, without the native tokenizer:
 *
 * <ul>
 *   <li>vocabulary size: distinct ids of {@code model.vocab} and {@code added_tokens} (transformers'
 *       {@code len(tokenizer)});
 *   <li>roles: {@code tokenizer_config.json}, then {@code special_tokens_map.json} ({@code bos_token},
 *       {@code eos_token}, {@code pad_token}, {@code unk_token}, {@code mask_token}, as a string or
 *       {@code {"content": ...}}). With neither (a bare {@code tokenizer.json}, or KoGPT2's hub repo, which ships
 *       none) the GPT-2 convention is used on the added special tokens: EOS is {@code </s>} (or
 *       {@code <|endoftext|>}, {@code <eos>}), BOS is the same token as EOS, PAD {@code <pad>}/{@code [PAD]}, UNK
 *       {@code <unk>}/{@code [UNK]}, MASK {@code <mask>}/{@code [MASK]}. For KoGPT2 that is exactly its documented
 *       usage: {@code bos_token='</s>', eos_token='</s>', pad_token='<pad>', unk_token='<unk>', mask_token='<mask>'};
 *   <li>model max length: {@code tokenizer_config.json}'s {@code model_max_length} (ignored when it is
 *       transformers' "unset" 1e30), else {@code config.json}'s {@code n_positions}/{@code max_position_embeddings},
 *       else 1024 (GPT-2's {@code n_positions}).
 * </ul>
 *
 * <p>Stateless, thread-safe.
 */
final class TokenizerMetadata {
    /** GPT-2's context length, used when no file says otherwise. */
    static final int DEFAULT_MODEL_MAX_LENGTH = 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<SpecialTokenRole, String> CONFIG_KEYS = new EnumMap<>(Map.of(
            SpecialTokenRole.BOS, "bos_token",
            SpecialTokenRole.EOS, "eos_token",
            SpecialTokenRole.PAD, "pad_token",
            SpecialTokenRole.UNK, "unk_token",
            SpecialTokenRole.MASK, "mask_token"));
    private static final List<String> EOS_NAMES = List.of("</s>", "<|endoftext|>", "<eos>");
    private static final List<String> PAD_NAMES = List.of("<pad>", "[PAD]", "<|pad|>");
    private static final List<String> UNK_NAMES = List.of("<unk>", "[UNK]", "<|endoftext|>");
    private static final List<String> MASK_NAMES = List.of("<mask>", "[MASK]");

    private TokenizerMetadata() {}

    static TokenizerInfo read(TokenizerFiles files, String source) {
        try {
            JsonNode tokenizer = readJson(files.tokenizerJson());
            Map<String, Integer> added = new LinkedHashMap<>();
            Map<String, Integer> addedSpecial = new LinkedHashMap<>();
            for (JsonNode t : tokenizer.path("added_tokens")) {
                added.put(t.path("content").asText(), t.path("id").asInt());
                if (t.path("special").asBoolean(false)) {
                    addedSpecial.put(t.path("content").asText(), t.path("id").asInt());
                }
            }
            JsonNode vocab = tokenizer.path("model").path("vocab");
            int vocabSize = vocabSize(vocab, added.values());

            Optional<JsonNode> tokConfig = files.tokenizerConfig().map(TokenizerMetadata::readJsonUnchecked);
            Optional<JsonNode> specialMap = files.specialTokensMap().map(TokenizerMetadata::readJsonUnchecked);
            Optional<JsonNode> modelConfig = files.modelConfig().map(TokenizerMetadata::readJsonUnchecked);

            Map<SpecialTokenRole, String> roles = rolesFromConfig(tokConfig, specialMap);
            if (roles.isEmpty()) {
                roles = conventionalRoles(addedSpecial.keySet());
            }
            List<SpecialToken> specials = new ArrayList<>();
            for (Map.Entry<SpecialTokenRole, String> e : roles.entrySet()) {
                Integer id = added.containsKey(e.getValue()) ? added.get(e.getValue()) : idInVocab(vocab, e.getValue());
                if (id != null) {
                    specials.add(new SpecialToken(e.getValue(), id, e.getKey()));
                }
            }
            List<String> withRole = roles.values().stream().toList();
            addedSpecial.entrySet().stream()
                    .filter(e -> !withRole.contains(e.getKey()))
                    .sorted(Map.Entry.comparingByValue(Comparator.naturalOrder()))
                    .forEach(e -> specials.add(new SpecialToken(e.getKey(), e.getValue(), SpecialTokenRole.OTHER)));

            int maxLength = modelMaxLength(tokConfig, modelConfig);
            return new TokenizerInfo(source, vocabSize, specials, maxLength, sha256(files.tokenizerJson()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer files " + files, e);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static int vocabSize(JsonNode vocab, Iterable<Integer> addedIds) {
        BitSet ids = new BitSet();
        if (vocab.isObject()) {
            vocab.fields().forEachRemaining(e -> ids.set(e.getValue().asInt()));
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...], ids are positions
            ids.set(0, vocab.size());
        }
        addedIds.forEach(ids::set);
        return ids.cardinality();
    }

    private static Integer idInVocab(JsonNode vocab, String token) {
        if (vocab.isObject() && vocab.has(token)) {
            return vocab.get(token).asInt();
        }
        if (vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) {
                if (vocab.get(i).path(0).asText().equals(token)) {
                    return i;
                }
            }
        }
        return null;
    }

    private static Map<SpecialTokenRole, String> rolesFromConfig(
            Optional<JsonNode> tokConfig, Optional<JsonNode> specialMap) {
        Map<SpecialTokenRole, String> roles = new EnumMap<>(SpecialTokenRole.class);
        for (Map.Entry<SpecialTokenRole, String> key : CONFIG_KEYS.entrySet()) {
            tokenValue(tokConfig, key.getValue())
                    .or(() -> tokenValue(specialMap, key.getValue()))
                    .ifPresent(v -> roles.put(key.getKey(), v));
        }
        return roles;
    }

    private static Optional<String> tokenValue(Optional<JsonNode> json, String key) {
        return json.map(j -> j.get(key)).flatMap(v -> {
            if (v == null || v.isNull()) {
                return Optional.empty();
            }
            if (v.isTextual()) {
                return Optional.of(v.asText());
            }
            if (v.isObject() && v.path("content").isTextual()) {
                return Optional.of(v.path("content").asText());
            }
            return Optional.empty();
        });
    }

    private static Map<SpecialTokenRole, String> conventionalRoles(Set<String> specials) {
        Map<SpecialTokenRole, String> roles = new EnumMap<>(SpecialTokenRole.class);
        first(specials, EOS_NAMES).ifPresent(eos -> {
            roles.put(SpecialTokenRole.BOS, eos);
            roles.put(SpecialTokenRole.EOS, eos);
        });
        first(specials, PAD_NAMES).ifPresent(t -> roles.put(SpecialTokenRole.PAD, t));
        first(specials, UNK_NAMES).ifPresent(t -> roles.put(SpecialTokenRole.UNK, t));
        first(specials, MASK_NAMES).ifPresent(t -> roles.put(SpecialTokenRole.MASK, t));
        return roles;
    }

    private static Optional<String> first(Set<String> present, List<String> candidates) {
        return candidates.stream().filter(present::contains).findFirst();
    }

    private static int modelMaxLength(Optional<JsonNode> tokConfig, Optional<JsonNode> modelConfig) {
        Optional<Long> fromTokConfig = tokConfig
                .map(j -> j.get("model_max_length"))
                .filter(JsonNode::isNumber)
                .map(JsonNode::asDouble)
                .filter(v -> v >= 1 && v <= Integer.MAX_VALUE)
                .map(Double::longValue);
        if (fromTokConfig.isPresent()) {
            return fromTokConfig.get().intValue();
        }
        for (String key : List.of("n_positions", "max_position_embeddings", "n_ctx")) {
            Optional<Integer> v = modelConfig
                    .map(j -> j.get(key))
                    .filter(JsonNode::canConvertToInt)
                    .map(JsonNode::asInt)
                    .filter(i -> i >= 1);
            if (v.isPresent()) {
                return v.get();
            }
        }
        return DEFAULT_MODEL_MAX_LENGTH;
    }

    private static JsonNode readJson(Path p) throws IOException {
        return JSON.readTree(p.toFile());
    }

    private static JsonNode readJsonUnchecked(Path p) {
        try {
            return readJson(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }
}
