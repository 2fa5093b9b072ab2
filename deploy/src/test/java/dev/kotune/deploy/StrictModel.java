package dev.kotune.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict schema validation of a manifest: the document is read into its typed model (fabric8 kubernetes-model for
 * Kubernetes kinds, Strimzi's {@code api} model for its custom resources) and every field must be one the model knows.
 *
 * <p>Both models keep unknown fields instead of refusing them (their classes carry an {@code additionalProperties} map
 * behind {@code @JsonAnySetter}), so {@code FAIL_ON_UNKNOWN_PROPERTIES} alone would let a typo through. After reading,
 * the object graph is walked and every non-empty {@code additionalProperties} is reported with its path. Scalars are
 * not coerced either ({@code replicas: "3"}, {@code value: 3} for a string fail, as the API server refuses them).
 * Strimzi's enums read an unknown value as null, which is reported too. Enumerated strings that the models keep as
 * {@code String} (e.g. {@code imagePullPolicy}) are not checked here.
 * Stateless; thread-safe.
 */
final class StrictModel {

    /** apiVersion/kind to model class: every kind that deploy/ may contain. A new kind must be added here. */
    static final Map<String, Class<?>> TYPES = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("kafka.strimzi.io/v1/Kafka", Kafka.class),
            Map.entry("kafka.strimzi.io/v1/KafkaNodePool", KafkaNodePool.class),
            Map.entry("kafka.strimzi.io/v1/KafkaTopic", KafkaTopic.class));

    private static final ObjectMapper MAPPER = strictMapper();

    private StrictModel() {}

    private static ObjectMapper strictMapper() {
        ObjectMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        for (LogicalType type : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        for (CoercionInputShape shape : new CoercionInputShape[] {
            CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean
        }) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }

    /** What is wrong with {@code doc} against its model; empty when it is valid. */
    static List<String> violations(JsonNode doc) {
        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        Class<?> type = TYPES.get(key);
        List<String> problems = new ArrayList<>();
        if (type == null) {
            problems.add("no typed model for " + key + " (known: "
                    + TYPES.keySet().stream().sorted().toList()
                    + "); add the kind to StrictModel.TYPES with its fabric8 or Strimzi class");
            return problems;
        }
        Object typed;
        try {
            typed = MAPPER.treeToValue(doc, type);
        } catch (Exception e) {
            problems.add(type.getSimpleName() + ": "
                    + e.getMessage().lines().findFirst().orElse(""));
            return problems;
        }
        walk(typed, doc.path("kind").asText(), problems, new IdentityHashMap<>());
        return problems;
    }

    private static boolean isModel(Class<?> c) {
        String pkg = c.getPackageName();
        // CustomResource (io.fabric8.kubernetes.client) holds a Strimzi resource's metadata, spec and status.
        return pkg.startsWith("io.fabric8.kubernetes.api.model")
                || c.getName().equals("io.fabric8.kubernetes.client.CustomResource")
                || pkg.startsWith("io.strimzi.api");
    }

    private static void walk(Object value, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                if (item == null) {
                    // Also what Strimzi's enums (e.g. KafkaNodePool roles) read an unknown value as.
                    problems.add(path + "[" + i + "]: null or unknown value");
                }
                walk(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                walk(e.getValue(), path + "[" + e.getKey() + "]", problems, seen);
            }
            return;
        }
        if (!isModel(value.getClass()) || value instanceof Enum<?>) {
            return;
        }
        for (Class<?> c = value.getClass(); c != null && isModel(c); c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                Object fieldValue;
                try {
                    field.setAccessible(true);
                    fieldValue = field.get(value);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new AssertionError("cannot read " + c.getName() + "." + field.getName(), e);
                }
                if (field.getName().equals("additionalProperties")) {
                    if (fieldValue instanceof Map<?, ?> unknown && !unknown.isEmpty()) {
                        problems.add(path + ": unknown field(s) " + unknown.keySet() + " for "
                                + value.getClass().getSimpleName());
                    }
                } else {
                    walk(fieldValue, path + "." + field.getName(), problems, seen);
                }
            }
        }
    }
}
