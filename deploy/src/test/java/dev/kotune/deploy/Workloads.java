package dev.kotune.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads pod templates out of Deployments, StatefulSets and Jobs. Stateless; thread-safe. */
final class Workloads {

    private Workloads() {}

    static JsonNode podSpec(DeployTree.Resource workload) {
        return workload.node().path("spec").path("template").path("spec");
    }

    static Map<String, String> podLabels(DeployTree.Resource workload) {
        return stringMap(
                workload.node().path("spec").path("template").path("metadata").path("labels"));
    }

    static Map<String, String> podAnnotations(DeployTree.Resource workload) {
        return stringMap(
                workload.node().path("spec").path("template").path("metadata").path("annotations"));
    }

    static List<JsonNode> containers(DeployTree.Resource workload) {
        List<JsonNode> containers = new ArrayList<>();
        podSpec(workload).path("initContainers").forEach(containers::add);
        podSpec(workload).path("containers").forEach(containers::add);
        return containers;
    }

    /** The workload's main container: the one named after the workload, else the first. */
    static JsonNode mainContainer(DeployTree.Resource workload) {
        for (JsonNode c : podSpec(workload).path("containers")) {
            if (c.path("name").asText().equals(workload.name())) {
                return c;
            }
        }
        return podSpec(workload).path("containers").path(0);
    }

    /** Container port name to number, in declaration order. */
    static Map<String, Integer> namedPorts(JsonNode container) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (JsonNode p : container.path("ports")) {
            ports.put(p.path("name").asText(), p.path("containerPort").asInt());
        }
        return ports;
    }

    /** The container's literal {@code env} values (entries with {@code valueFrom} are left out). */
    static Map<String, String> literalEnv(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            if (e.has("value")) {
                env.put(e.path("name").asText(), e.path("value").asText());
            }
        }
        return env;
    }

    static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }
}
