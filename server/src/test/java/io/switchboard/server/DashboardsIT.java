package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import io.switchboard.testing.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/dashboards: the Grafana dashboard and the Prometheus alert rules refer only to metrics a real
 * node exposes (after it has seen traffic, so that meters registered on first use are there), every
 * alert is complete, the dashboard has its panels and uses the data-source variable, and promtool
 * (a test that fails, with the install command, when it is missing) accepts the rules, passes their
 * unit tests and parses every dashboard query.
 */
class DashboardsIT {

    private static final Path DIR = Path.of("..", "docs", "dashboards").toAbsolutePath().normalize();
    private static final Path DASHBOARD = DIR.resolve("switchboard-grafana.json");
    private static final Path ALERTS = DIR.resolve("switchboard-alerts.yml");
    private static final Path ALERT_TESTS = DIR.resolve("switchboard-alerts.test.yml");
    private static final String KEY = "dashboards-it-key-0123456789";
    /** Series Prometheus makes itself for each target, which no node exposes. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up");
    private static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan");

    private static JsonNode dashboard;
    private static JsonNode alerts;

    @BeforeAll
    static void read() throws Exception {
        dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        alerts = new YAMLMapper().readTree(ALERTS.toFile());
    }

    @Test
    void everyMetricTheDashboardAndAlertsUseIsExposedByARealNode() throws Exception {
        Map<String, String> exprs = new LinkedHashMap<>(dashboardExprs());
        exprs.putAll(alertExprs());
        assertThat(exprs).hasSizeGreaterThan(20);

        try (TestServer node = TestServer.start(TestServer.config().apiKeys(List.of(KEY)));
             WsClient sub = node.client("dash-sub");
             WsClient pub = node.client("dash-pub")) {
            makeTraffic(node, sub, pub);
            HttpClient http = HttpClient.newHttpClient();
            // Some meters appear on first use (close codes, engine operations, API endpoints): wait for them.
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                checkNames(exprs, scrape);
            });
        }
    }

    private static void makeTraffic(TestServer node, WsClient sub, WsClient pub) throws Exception {
        assertThat(sub.subscribe("chat:dash").type()).isEqualTo(MessageType.ACK);
        for (int i = 0; i < 20; i++) {
            assertThat(pub.publish("chat:dash", "{\"n\":" + i + "}").type()).isEqualTo(MessageType.ACK);
        }
        assertThat(sub.messages(20, Duration.ofSeconds(10))).hasSize(20);
        assertThat(pub.subscribe("nosuchns:x").code()).isEqualTo("unknown_channel"); // an error envelope
        try (WsClient refused = WsClient.to(node.port()).token("not-a-token").connect()) {
            assertThat(refused.awaitClose()).isEqualTo(4500); // a refused connection
        }
        node.client("dash-leaver").close(); // a closed connection
        HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.port() + "/api/publish"))
                .header("X-API-Key", KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"chat:dash\",\"payload\":{\"via\":\"api\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
    }

    /** Every metric name in every expression is in the scrape; every switchboard_* family is on the dashboard. */
    private static void checkNames(Map<String, String> exprs, String scrape) {
        Set<String> samples = new HashSet<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : scrape.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] f = line.split(" ");
                types.put(f[2], f[3]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
                samples.add(line.substring(0, end));
            }
        }
        List<String> missing = new ArrayList<>();
        exprs.forEach((where, expr) -> {
            Set<String> names = metricNames(expr);
            if (names.isEmpty()) {
                missing.add(where + ": no metric found in " + expr);
            }
            for (String name : names) {
                if (PROMETHEUS_SERIES.contains(name)) {
                    continue;
                }
                if (!samples.contains(name)) {
                    missing.add(where + ": " + name);
                } else if (name.endsWith("_bucket")
                        && !"histogram".equals(types.get(name.substring(0, name.length() - "_bucket".length())))) {
                    missing.add(where + ": " + name + " is not a histogram's buckets");
                }
            }
        });
        assertThat(missing).as("metric names used but not exposed by the node").isEmpty();

        Set<String> onDashboard = new TreeSet<>();
        dashboardExprs().values().forEach(e -> onDashboard.addAll(metricNames(e)));
        Set<String> unused = new TreeSet<>();
        for (String family : types.keySet()) {
            if (!family.startsWith("switchboard_") || family.endsWith("_seconds_max")) {
                continue; // the _max gauges of timers are covered by their histograms
            }
            if (!onDashboard.contains(family) && !onDashboard.contains(family + "_bucket")
                    && !onDashboard.contains(family + "_sum") && !onDashboard.contains(family + "_count")) {
                unused.add(family);
            }
        }
        assertThat(unused).as("switchboard metric families the dashboard does not show").isEmpty();
    }

    @Test
    void metricNameExtractionSkipsFunctionsLabelsAndVariables() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, type) (rate(switchboard_command_duration_seconds_bucket"
                + "{instance=~\"$instance\",code=\"a b\"}[$__rate_interval]))) > 1e-3 and on (instance) up == 0"))
                .containsExactlyInAnyOrder("switchboard_command_duration_seconds_bucket", "up");
        assertThat(metricNames("sum(rate(x_total[5m] offset 1h)) / clamp_min(sum(y), 1)")).containsExactlyInAnyOrder("x_total", "y");
    }

    @Test
    void everyAlertIsComplete() {
        Set<String> names = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        for (JsonNode group : alerts.path("groups")) {
            assertThat(group.path("name").asText()).isNotBlank();
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                if (name.isBlank() || !names.add(name)) {
                    problems.add("missing or repeated alert name: " + rule);
                }
                if (rule.path("expr").asText().isBlank()) {
                    problems.add(name + ": no expr");
                }
                if (!rule.path("for").asText().matches("\\d+[smhdwy]")) {
                    problems.add(name + ": no for: duration");
                }
                if (!Set.of("warning", "critical").contains(rule.path("labels").path("severity").asText())) {
                    problems.add(name + ": labels.severity must be warning or critical");
                }
                if (rule.path("annotations").path("summary").asText().isBlank()
                        || rule.path("annotations").path("description").asText().isBlank()) {
                    problems.add(name + ": annotations.summary and annotations.description are required");
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(names).contains("SwitchboardNodeDown", "SwitchboardConnectionsDropped", "SwitchboardAbnormalCloses",
                "SwitchboardErrorRateHigh", "SwitchboardSlowConsumers", "SwitchboardDeliveryLatencyHigh",
                "SwitchboardEngineFailures", "SwitchboardBrokerLagHigh");
        assertThat(alertExprs().get("SwitchboardNodeDown")).contains("up").contains("== 0");
        assertThat(alertExprs().get("SwitchboardAbnormalCloses")).contains("1006").contains("4000").contains("4001");
    }

    @Test
    void theDashboardHasItsPanelsAndUsesTheDataSourceVariable() {
        JsonNode vars = dashboard.path("templating").path("list");
        assertThat(vars.findValues("name").stream().map(JsonNode::asText)).contains("DS_PROMETHEUS", "instance");
        for (JsonNode v : vars) {
            if (v.path("name").asText().equals("DS_PROMETHEUS")) {
                assertThat(v.path("type").asText()).isEqualTo("datasource");
                assertThat(v.path("query").asText()).isEqualTo("prometheus");
            }
        }
        Set<Integer> ids = new HashSet<>();
        Map<String, JsonNode> byTitle = new LinkedHashMap<>();
        for (JsonNode p : allPanels()) {
            assertThat(ids.add(p.path("id").asInt())).as("panel id %s is unique", p.path("id")).isTrue();
            JsonNode pos = p.path("gridPos");
            assertThat(pos.path("w").asInt() + pos.path("x").asInt()).as("panel %s fits 24 columns", p.path("title")).isBetween(1, 24);
            if (p.path("type").asText().equals("row")) {
                continue;
            }
            byTitle.put(p.path("title").asText(), p);
            assertThat(p.path("datasource").path("uid").asText()).as("data source of %s", p.path("title")).isEqualTo("${DS_PROMETHEUS}");
            assertThat(p.path("targets").size()).as("queries of %s", p.path("title")).isPositive();
            for (JsonNode t : p.path("targets")) {
                assertThat(t.path("expr").asText()).isNotBlank();
                assertThat(t.path("datasource").path("uid").asText()).isEqualTo("${DS_PROMETHEUS}");
            }
        }
        assertThat(byTitle.keySet()).contains("Connections open", "Connections opened and closed / s, by close code",
                "Messages in / s, by type", "Messages out / s, by type", "Bytes in and out / s", "Delivery latency p50 / p99",
                "Command duration p99, by type", "Errors / s, by code", "Slow consumers and rate limits / s",
                "Engine round trip p99, by operation", "Broker lag p50 / p99", "JVM heap", "Netty direct memory");
        String latency = byTitle.get("Delivery latency p50 / p99").path("targets").toString();
        assertThat(latency).contains("histogram_quantile(0.5,").contains("histogram_quantile(0.99,")
                .contains("switchboard_delivery_latency_seconds_bucket");
    }

    @Test
    void promtoolAcceptsTheRulesTheirTestsAndEveryDashboardQuery() throws Exception {
        Path promtool = Path.of(Tools.path("promtool"));
        run(promtool, "check", "rules", ALERTS.toString());
        run(promtool, "test", "rules", ALERT_TESTS.toString());
        // promtool parses PromQL in rule files only, so each dashboard query becomes a recording rule.
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
        int i = 0;
        for (String expr : dashboardExprs().values()) {
            String plain = expr.replace("$__rate_interval", "5m").replace("$instance", ".*");
            rules.append("      - record: dashboard:query_").append(i++).append("\n        expr: ")
                    .append(new ObjectMapper().writeValueAsString(plain)).append('\n');
        }
        Path file = Files.createTempFile("switchboard-dashboard-queries", ".yml");
        try {
            Files.writeString(file, rules);
            run(promtool, "check", "rules", file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");

    /** The metric names in a PromQL expression: identifiers that are not functions, keywords, labels or variables. */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\{[^}]*}|\\$\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String id = m.group(1);
            if (!PROMQL_WORDS.contains(id.toLowerCase())) {
                names.add(id);
            }
        }
        return names;
    }

    private static List<JsonNode> allPanels() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            out.add(p);
            p.path("panels").forEach(out::add);
        }
        return out;
    }

    /** Panel title and query letter to expression. */
    private static Map<String, String> dashboardExprs() {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode p : allPanels()) {
            for (JsonNode t : p.path("targets")) {
                out.put("panel '" + p.path("title").asText() + "' " + t.path("refId").asText(), t.path("expr").asText());
            }
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            String def = v.path("definition").asText();
            Matcher m = Pattern.compile("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(def);
            if (m.find()) {
                out.put("variable " + v.path("name").asText(), m.group(1));
            }
        }
        return out;
    }

    private static Map<String, String> alertExprs() {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode group : alerts.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                out.put(rule.path("alert").asText(), rule.path("expr").asText());
            }
        }
        return out;
    }

    private static void run(Path program, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(program.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
        System.out.println("DashboardsIT: " + String.join(" ", cmd) + "\n" + out);
        assertThat(p.exitValue()).as("%s:\n%s", cmd, out).isZero();
    }
}
