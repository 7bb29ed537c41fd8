package io.switchboard.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.session.Session;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The Prometheus endpoint after a known, scripted load reads exactly what the script did. */
class MetricsIT {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Every sample of a scrape: "name{labels}" (labels as rendered) to value. */
    static Map<String, Double> scrape(int port, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"));
        if (key != null) {
            b.header("X-API-Key", key);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        Map<String, Double> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    static double value(Map<String, Double> samples, String series) {
        Double v = samples.get(series);
        assertThat(v).as("series " + series + " in the scrape").isNotNull();
        return v;
    }

    @Test
    void aCloseWithoutACodeIsCountedAs1005() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config())) {
            WsClient quiet = node.client("no-code");
            assertThat(quiet.subscribe("metrics-room").type()).isEqualTo(MessageType.ACK);
            quiet.sendFrame(new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame()); // no status code at all
            quiet.awaitClose();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> node.server.sessionCount() == 0);
            Map<String, Double> s = scrape(node.port(), null);
            assertThat(value(s, "switchboard_connections_closed_total{code=\"1005\",protocol=\"native\"}")).isEqualTo(1);
            assertThat(s.keySet()).noneMatch(k -> k.startsWith("switchboard_connections_closed_total{code=\"-"));
        }
    }

    @Test
    void countersReadExactlyWhatAScriptedLoadDid() throws Exception {
        int n = 7;      // connections
        int m = 25;     // publications
        int k = 4;      // errors
        try (TestServer node = TestServer.start(TestServer.config())) {
            List<WsClient> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                WsClient c = node.client("metrics-" + i);
                assertThat(c.subscribe("metrics-room").type()).isEqualTo(MessageType.ACK);
                clients.add(c);
            }
            WsClient pub = clients.get(0);
            for (int i = 0; i < m; i++) {
                assertThat(pub.publish("metrics-room", "{\"i\":" + i + "}").type()).isEqualTo(MessageType.ACK);
            }
            for (int i = 0; i < k; i++) {
                assertThat(pub.subscribe("nope:" + i).code()).isEqualTo("unknown_channel");
            }
            for (WsClient c : clients) {
                assertThat(c.messages(m, Duration.ofSeconds(10))).hasSize(m);
            }
            for (int i = 0; i < 3; i++) {
                clients.get(n - 1 - i).close(); // a normal close: 1000
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> node.server.sessionCount() == n - 3);

            Map<String, Double> s = scrape(node.port(), null);
            assertThat(value(s, "switchboard_connections_opened_total{protocol=\"native\"}")).isEqualTo(n);
            assertThat(value(s, "switchboard_connections_open{protocol=\"native\"}")).isEqualTo(n - 3);
            assertThat(value(s, "switchboard_connections_closed_total{code=\"1000\",protocol=\"native\"}")).isEqualTo(3);
            assertThat(value(s, "switchboard_subscriptions")).isEqualTo(n - 3);
            assertThat(value(s, "switchboard_channels")).isEqualTo(1);
            assertThat(value(s, "switchboard_publications_total{source=\"websocket\"}")).isEqualTo(m);
            assertThat(value(s, "switchboard_messages_in_total{protocol=\"native\",type=\"publish\"}")).isEqualTo(m);
            assertThat(value(s, "switchboard_messages_in_total{protocol=\"native\",type=\"subscribe\"}")).isEqualTo(n + k);
            assertThat(value(s, "switchboard_messages_out_total{protocol=\"native\",type=\"message\"}")).isEqualTo((double) m * n);
            assertThat(value(s, "switchboard_messages_out_total{protocol=\"native\",type=\"welcome\"}")).isEqualTo(n);
            assertThat(value(s, "switchboard_errors_total{code=\"unknown_channel\"}")).isEqualTo(k);
            double errors = s.entrySet().stream().filter(e -> e.getKey().startsWith("switchboard_errors_total{"))
                    .mapToDouble(Map.Entry::getValue).sum();
            assertThat(errors).isEqualTo(k);
            assertThat(value(s, "switchboard_delivery_latency_seconds_count")).isEqualTo(m);
            assertThat(value(s, "switchboard_command_duration_seconds_count{type=\"publish\"}")).isEqualTo(m);
            assertThat(value(s, "switchboard_command_duration_seconds_count{type=\"subscribe\"}")).isEqualTo(n + k);
            assertThat(value(s, "switchboard_engine_rtt_seconds_count{op=\"publish\"}")).isEqualTo(m);
            assertThat(value(s, "switchboard_slow_consumer_disconnects_total")).isZero();
            assertThat(value(s, "switchboard_bytes_in_total{protocol=\"native\",type=\"publish\"}")).isPositive();
            assertThat(s.keySet()).anyMatch(name -> name.startsWith("jvm_memory_used_bytes"))
                    .anyMatch(name -> name.startsWith("switchboard_netty_direct_memory_used_bytes"))
                    .anyMatch(name -> name.startsWith("netty_allocator_memory_used"));
            for (int i = 0; i < n - 3; i++) {
                clients.get(i).close();
            }
        }
    }

    @Test
    void slowConsumersAndRateLimitsAreCountedAndLoggedOncePerConnection() throws Exception {
        Logger sessionLog = (Logger) LoggerFactory.getLogger(Session.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        sessionLog.addAppender(logged);
        try (TestServer node = TestServer.start(TestServer.config().limits(TestServer.LIMITS.withCommandsPerSecond(5).withCommandBurst(5).withErrorBurstLimit(1000)));
             WsClient noisy = node.client("noisy")) {
            int sent = 60;
            for (int i = 0; i < sent; i++) {
                noisy.command("ping", null, null);
            }
            List<io.switchboard.protocol.Envelope> replies = new ArrayList<>();
            while (replies.size() < sent) {
                io.switchboard.protocol.Envelope e = noisy.await(x -> x.type() == MessageType.PONG || x.type() == MessageType.ERROR);
                replies.add(e);
            }
            long limited = replies.stream().filter(e -> "rate_limited".equals(e.code())).count();
            assertThat(limited).isPositive();
            Map<String, Double> s = scrape(node.port(), null);
            assertThat(value(s, "switchboard_rate_limited_total{scope=\"command\"}")).isEqualTo(limited);
            assertThat(value(s, "switchboard_errors_total{code=\"rate_limited\"}")).isEqualTo(limited);
            String sessionId = logged.list.stream().flatMap(ev -> ev.getKeyValuePairs() == null ? java.util.stream.Stream.empty()
                            : ev.getKeyValuePairs().stream()).filter(kv -> kv.key.equals("session"))
                    .map(kv -> String.valueOf(kv.value)).findFirst().orElseThrow();
            long lines = logged.list.stream().filter(ev -> ev.getFormattedMessage().contains("commands per second")).count();
            assertThat(lines).as("one log line for %d refused commands", limited).isEqualTo(1);
            assertThat(logged.list).allSatisfy(ev -> assertThat(ev.getKeyValuePairs()).as(ev.getFormattedMessage())
                    .anyMatch(kv -> kv.key.equals("session") && kv.value.equals(sessionId)));
        } finally {
            sessionLog.detachAppender(logged);
        }
        // A stalled reader: one slow-consumer close, counted once, logged once.
        logged.list.clear();
        sessionLog.addAppender(logged);
        try (TestServer node = TestServer.start(TestServer.config().maxQueuedBytes(64 * 1024));
             WsClient pub = node.client("pub")) {
            WsClient stalled = WsClient.to(node.port()).token(node.token("stalled")).receiveBuffer(4096).connect();
            stalled.awaitType(MessageType.WELCOME);
            stalled.subscribe("flood");
            stalled.setReading(false);
            String payload = "\"" + "x".repeat(1000) + "\"";
            for (int i = 0; i < 100_000 && node.server.hub().subscriberCount("flood") == 1; i++) {
                pub.command("publish", "flood", "\"payload\":" + payload);
                if (i % 256 == 0) {
                    pub.received.clear();
                }
            }
            stalled.setReading(true);
            assertThat(stalled.awaitClose()).isEqualTo(4001);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                    scrape(node.port(), null).getOrDefault("switchboard_connections_closed_total{code=\"4001\",protocol=\"native\"}", 0.0) == 1.0);
            Map<String, Double> s = scrape(node.port(), null);
            assertThat(value(s, "switchboard_slow_consumer_disconnects_total")).isEqualTo(1);
            assertThat(logged.list.stream().filter(ev -> ev.getFormattedMessage().contains("slow consumer")).count()).isEqualTo(1);
            stalled.close();
        } finally {
            sessionLog.detachAppender(logged);
        }
    }

    @Test
    void metricsCanMoveToTheirOwnPortOrBehindTheApiKey() throws Exception {
        String key = "metrics-key-0123456789abcdef";
        try (TestServer node = TestServer.start(TestServer.config().metricsPort(0))) {
            int port = node.server.metricsPort();
            assertThat(port).isPositive().isNotEqualTo(node.port());
            assertThat(scrape(port, null)).containsKey("switchboard_connections_opened_total{protocol=\"native\"}");
            HttpResponse<String> main = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(main.statusCode()).isEqualTo(404);
            assertThat(main.body()).contains("--metrics-port");
        }
        try (TestServer node = TestServer.start(TestServer.config().apiKeys(List.of(key))
                .metricsAuth(io.switchboard.server.config.ServerConfig.MetricsAuth.API_KEY))) {
            HttpResponse<String> without = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(without.statusCode()).isEqualTo(401);
            assertThat(scrape(node.port(), key)).containsKey("switchboard_connections_opened_total{protocol=\"native\"}");
        }
    }
}
