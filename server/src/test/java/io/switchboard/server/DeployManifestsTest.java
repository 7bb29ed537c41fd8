package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.switchboard.server.cli.DurationConverter;
import io.switchboard.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests in deploy/kubernetes: valid YAML, every document a named object, and the
 * settings docs/deployment.md relies on: probes on /readyz and /healthz, a grace period that covers the
 * preStop pause and the drain window, a Service and a PodDisruptionBudget that select the pods.
 */
class DeployManifestsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static List<JsonNode> documents() throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(Tools.repositoryRoot().resolve("deploy/kubernetes"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (var it = YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
                    while (it.hasNext()) {
                        JsonNode d = (JsonNode) it.next();
                        assertThat(d.path("apiVersion").asText()).as(f + ": apiVersion").isNotEmpty();
                        assertThat(d.path("kind").asText()).as(f + ": kind").isNotEmpty();
                        assertThat(d.path("metadata").path("name").asText()).as(f + ": metadata.name").isNotEmpty();
                        docs.add(d);
                    }
                }
            }
        }
        return docs;
    }

    private static JsonNode find(List<JsonNode> docs, String kind, String name) {
        return docs.stream().filter(d -> d.get("kind").asText().equals(kind) && d.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @Test
    void theNodesDeploymentProbesDrainsAndIsSelected() throws Exception {
        List<JsonNode> docs = documents();
        JsonNode deployment = find(docs, "Deployment", "switchboard");
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
        // Liveness waits for the startup probe, which allows for the JVM's start and the warm-up's whole budget.
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/healthz");
        assertThat(container.at("/startupProbe/periodSeconds").asLong() * container.at("/startupProbe/failureThreshold").asLong())
                .isGreaterThanOrEqualTo(io.switchboard.server.config.ServerConfig.WARM_UP_BUDGET.toSeconds() + 20);
        Map<String, String> env = new HashMap<>();
        container.get("env").forEach(e -> env.put(e.get("name").asText(), e.path("value").asText(null)));
        assertThat(env).containsEntry("SWITCHBOARD_BIND", "0.0.0.0").containsEntry("SWITCHBOARD_ENGINE", "redis")
                .containsKeys("SWITCHBOARD_JWT_SECRET", "SWITCHBOARD_TRUSTED_PROXIES");
        long drain = DurationConverter.parse(env.get("SWITCHBOARD_DRAIN_WINDOW")).toSeconds();
        long preStop = container.at("/lifecycle/preStop/sleep/seconds").asLong();
        // The node waits up to its drain window and 3 s more for sessions to close, then exits.
        assertThat(pod.get("terminationGracePeriodSeconds").asLong()).isGreaterThanOrEqualTo(preStop + drain + 3);
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1port").asText())
                .isEqualTo(env.get("SWITCHBOARD_METRICS_PORT"));

        JsonNode labels = deployment.at("/spec/template/metadata/labels");
        assertThat(deployment.at("/spec/selector/matchLabels")).isEqualTo(labels);
        assertThat(find(docs, "Service", "switchboard").at("/spec/selector")).isEqualTo(labels);
        JsonNode pdb = find(docs, "PodDisruptionBudget", "switchboard");
        assertThat(pdb.at("/spec/selector/matchLabels")).isEqualTo(labels);
        assertThat(pdb.at("/spec/maxUnavailable").asInt()).isLessThan(deployment.at("/spec/replicas").asInt());
        assertThat(env.get("SWITCHBOARD_REDIS_URL")).isEqualTo("redis://" + find(docs, "Service", "redis").at("/metadata/name").asText()
                + ":" + find(docs, "Service", "redis").at("/spec/ports/0/port").asInt());
    }
}
