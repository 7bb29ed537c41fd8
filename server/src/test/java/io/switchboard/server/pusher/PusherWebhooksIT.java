package io.switchboard.server.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.switchboard.server.config.ClusterConfig;
import io.switchboard.server.config.PusherApp;
import io.switchboard.server.config.WebhookConfig;
import io.switchboard.server.engine.Engine;
import io.switchboard.server.node.Engines;
import io.switchboard.server.pusher.PusherProtocolIT.Raw;
import io.switchboard.server.testing.ExternalServer;
import io.switchboard.server.testing.TestServer;
import io.switchboard.testing.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A Pusher app's webhooks on two nodes sharing the test's own Redis, received by a Node process that checks
 * every request with the {@code pusher} SDK's {@code webhook().isValid()} ({@code X-Pusher-Key},
 * {@code X-Pusher-Signature}). The receiver refuses its first requests, is killed mid-run and started again;
 * then node B, a separate {@code switchboard serve} process configured from YAML, is killed with SIGKILL, and
 * the survivor (in this process), once B's liveness mark runs out, sends B's members' {@code member_removed}.
 * De-duplicated by id, every channel's events arrive exactly once each, in order, with consecutive
 * {@code seq}: {@code member_added}/{@code member_removed} per user (a second connection of a user adds
 * nothing), {@code channel_occupied}/{@code channel_vacated} once per cluster, {@code client_event} in order,
 * {@code cache_miss} for a subscription to an empty cache channel.
 */
class PusherWebhooksIT {

    static final String SECRET = "secret-a-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();

    /** {@code webhook-receiver.mjs} as a process; its output lines are collected. */
    static final class Receiver implements AutoCloseable {
        final Process process;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        Receiver(int port, int failFirst) throws Exception {
            PusherJsIT.installPackages();
            process = new ProcessBuilder(Tools.path("node"), "webhook-receiver.mjs", Integer.toString(port), Integer.toString(failFirst))
                    .directory(PusherJsIT.DIR.toFile()).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (java.io.IOException e) {
                    // the process ended
                }
            }, "webhook-receiver-output");
            reader.setDaemon(true);
            reader.start();
            await("receiver listening").atMost(Duration.ofSeconds(20)).until(() -> lines.contains("listening"));
        }

        List<JsonNode> events() throws Exception {
            List<JsonNode> out = new ArrayList<>();
            for (String l : List.copyOf(lines)) {
                if (l.startsWith("event ")) {
                    out.add(JSON.readTree(l.substring(6)));
                }
            }
            return out;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyEventArrivesSignedOnceInOrderPerChannelThroughARestartedReceiverAndANodesDeath() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        WebhookConfig timings = new WebhookConfig(List.of(), Duration.ofHours(1), Duration.ofMillis(20),
                Duration.ofMillis(300), Duration.ofSeconds(5), 50, Duration.ofSeconds(2));
        PusherApp app = PusherApp.of("1001", "key-a", SECRET).withWebhooks(List.of(
                new PusherApp.Webhook("http://127.0.0.1:" + port + "/pusher", Set.copyOf(PusherApp.WEBHOOK_EVENTS))));
        List<Receiver> receivers = new ArrayList<>();
        List<Raw> clients = new ArrayList<>();
        try (ExternalServer redis = ExternalServer.redis()) {
            ClusterConfig cc = new ClusterConfig("redis", List.of(redis.url()), "redis", null);
            Engine engineA = Engines.create(cc);
            var config = TestServer.config().cluster(cc).webhooks(timings).presenceTtl(Duration.ofSeconds(3))
                    .pusherApps(List.of(app));
            Process nodeB = null;
            try (TestServer a = TestServer.start(config, engineA)) {
                NodeProcess b = NodeProcess.start(redis.url(), port);
                nodeB = b.process;
                await().atMost(Duration.ofSeconds(30)).until(engineA::isReady);
                receivers.add(new Receiver(port, 3));

                // Presence: u1 on A, u2 on B, then u1 again on B (a second connection adds no member).
                Raw a1 = client(a.port(), clients);
                subscribePresence(a1, "presence-room", "u1");
                Raw b1 = client(b.port(), clients);
                subscribePresence(b1, "presence-room", "u2");
                Raw b2 = client(b.port(), clients);
                subscribePresence(b2, "presence-room", "u1");
                // Client events, in order, on a private channel with a subscriber on each node.
                subscribePrivate(a1, "private-chat");
                subscribePrivate(b1, "private-chat");
                for (int n = 1; n <= 3; n++) {
                    a1.send("{\"event\":\"client-typing\",\"channel\":\"private-chat\",\"data\":{\"n\":" + n + "}}");
                    assertThat(b1.next("client-typing")).contains("\\\"n\\\":" + n);
                }
                await("client events through the failing receiver").atMost(Duration.ofSeconds(30))
                        .until(() -> receivers.get(0).events().stream().filter(e -> e.path("name").asText().equals("client_event")).count() >= 3);
                assertThat(receivers.get(0).lines).contains("failed-on-purpose");

                // The receiver dies; events made meanwhile wait in the queue until it is back.
                receivers.get(0).close();
                double failedBefore = failedRequests(a);
                Raw a3 = client(a.port(), clients);
                for (int i = 0; i < 2; i++) {
                    a3.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}");
                    a3.next("pusher_internal:subscription_succeeded");
                    a3.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"news\"}}");
                }
                a3.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"cache-empty\"}}");
                assertThat(a3.next("pusher:cache_miss")).isEqualTo("{\"event\":\"pusher:cache_miss\",\"channel\":\"cache-empty\"}");
                await("requests failing while the receiver is away").atMost(Duration.ofSeconds(20))
                        .until(() -> failedRequests(a) > failedBefore || b.log().contains("ConnectException"));
                receivers.add(new Receiver(port, 0));

                // Node B is killed (SIGKILL). The survivor removes u2 (B was its only node), not u1.
                nodeB.destroyForcibly();
                assertThat(nodeB.waitFor(10, TimeUnit.SECONDS)).isTrue();
                await("member_removed of the dead node's member").atMost(Duration.ofSeconds(40)).until(() ->
                        receivers.get(1).events().stream().anyMatch(e -> e.path("name").asText().equals("member_removed")));
                assertThat(a1.next("pusher_internal:member_removed")).contains("u2"); // presence TTL, to clients too

                // Sentinel: a1 leaves; once its channel_vacated is in, anything produced twice would be too.
                a1.ws.sendClose(1000, "").join();
                await("the sentinel").atMost(Duration.ofSeconds(20)).until(() -> receivers.get(1).events().stream()
                        .anyMatch(e -> e.path("name").asText().equals("channel_vacated") && e.path("channel").asText().equals("presence-room")));

                Map<String, List<JsonNode>> byChannel = new LinkedHashMap<>();
                Map<String, JsonNode> unique = new LinkedHashMap<>();
                for (Receiver r : receivers) {
                    for (JsonNode e : r.events()) {
                        unique.putIfAbsent(e.path("id").asText(), e);
                    }
                }
                unique.values().forEach(e -> byChannel.computeIfAbsent(e.path("channel").asText(), k -> new ArrayList<>()).add(e));
                assertThat(names(byChannel.get("presence-room"))).containsExactly("channel_occupied", "member_added u1",
                        "member_added u2", "member_removed u2", "member_removed u1", "channel_vacated");
                assertThat(names(byChannel.get("private-chat"))).containsExactly("channel_occupied", "client_event",
                        "client_event", "client_event", "channel_vacated");
                assertThat(names(byChannel.get("news"))).containsExactly("channel_occupied", "channel_vacated",
                        "channel_occupied", "channel_vacated");
                assertThat(names(byChannel.get("cache-empty"))).containsExactly("channel_occupied", "cache_miss");
                assertThat(byChannel).containsOnlyKeys("presence-room", "private-chat", "news", "cache-empty");
                List<JsonNode> clientEvents = byChannel.get("private-chat").subList(1, 4);
                for (int n = 1; n <= 3; n++) {
                    JsonNode e = clientEvents.get(n - 1);
                    assertThat(e.path("event").asText()).isEqualTo("client-typing");
                    assertThat(JSON.readTree(e.path("data").asText()).path("n").asInt()).isEqualTo(n);
                    assertThat(e.path("socket_id").asText()).matches("\\d+\\.\\d+");
                    assertThat(e.has("user_id")).isFalse();
                }
                for (List<JsonNode> events : byChannel.values()) {
                    for (int i = 0; i < events.size(); i++) {
                        assertThat(events.get(i).path("seq").asLong()).as("seq of %s", events.get(i)).isEqualTo(i + 1);
                    }
                }
                for (Receiver r : receivers) {
                    assertThat(r.lines).noneMatch(l -> l.startsWith("invalid"));
                }
            } finally {
                clients.forEach(c -> c.ws.abort());
                engineA.close();
                if (nodeB != null) {
                    nodeB.destroyForcibly();
                }
            }
        } finally {
            for (Receiver r : receivers) {
                r.close();
            }
        }
    }

    /** Node B: {@code switchboard serve} in a process of its own, on the test's Redis, with the app's webhooks from YAML. */
    record NodeProcess(Process process, int port, java.nio.file.Path logFile) {
        static NodeProcess start(String redisUrl, int receiverPort) throws Exception {
            int nodePort;
            try (ServerSocket s = new ServerSocket(0)) {
                nodePort = s.getLocalPort();
            }
            java.nio.file.Path yaml = java.nio.file.Files.createTempFile("pusher-webhooks-node", ".yaml");
            java.nio.file.Files.writeString(yaml, """
                    pusher:
                      apps:
                        - id: "1001"
                          key: key-a
                          secret: %s
                          webhooks:
                            - url: http://127.0.0.1:%d/pusher
                              events: [channel_occupied, channel_vacated, member_added, member_removed, client_event, cache_miss]
                    webhooks:
                      max-age: 1h
                      retry-min: 20ms
                      retry-max: 300ms
                      timeout: 5s
                      batch-size: 50
                      node-ttl: 2s
                    """.formatted(SECRET, receiverPort));
            java.nio.file.Path log = java.nio.file.Files.createTempFile("pusher-webhooks-node", ".log");
            String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    "io.switchboard.server.cli.Main", "serve", "--config", yaml.toString(), "--port", Integer.toString(nodePort),
                    "--jwt-secret", TestServer.SECRET, "--engine", "redis", "--redis-url", redisUrl, "--presence-ttl", "3s")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            NodeProcess n = new NodeProcess(p, nodePort, log);
            java.net.URI ready = java.net.URI.create("http://127.0.0.1:" + nodePort + "/readyz");
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            await("node B ready").atMost(Duration.ofSeconds(60)).until(() -> {
                assertThat(p.isAlive()).as("node B is running; log:\n%s", n.log()).isTrue();
                try {
                    return http.send(java.net.http.HttpRequest.newBuilder(ready).build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (java.io.IOException notYet) {
                    return false;
                }
            });
            return n;
        }

        String log() throws java.io.IOException {
            return java.nio.file.Files.readString(logFile);
        }
    }

    private static List<String> names(List<JsonNode> events) {
        assertThat(events).as("events of a channel").isNotNull();
        return events.stream().map(e -> e.path("name").asText() + (e.has("user_id") && !e.path("name").asText().equals("client_event")
                ? " " + e.path("user_id").asText() : "")).toList();
    }

    private static double failedRequests(TestServer node) {
        Counter c = node.server.node().metrics().registry().find("switchboard_webhook_failed_requests").counter();
        return c == null ? 0 : c.count();
    }

    static Raw client(int port, List<Raw> all) throws Exception {
        Raw r = Raw.connect(port, "/app/key-a?protocol=7", true);
        all.add(r);
        JsonNode hello = JSON.readTree(r.next("pusher:connection_established"));
        r.socketId = JSON.readTree(hello.path("data").asText()).path("socket_id").asText();
        return r;
    }

    static void subscribePresence(Raw r, String channel, String user) throws Exception {
        String channelData = JSON.writeValueAsString(Map.of("user_id", user, "user_info", Map.of("name", user)));
        String auth = "key-a:" + PusherSignatures.hmac(SECRET, r.socketId + ":" + channel + ":" + channelData);
        r.send(JSON.writeValueAsString(Map.of("event", "pusher:subscribe",
                "data", Map.of("channel", channel, "auth", auth, "channel_data", channelData))));
        assertThat(r.next("pusher_internal:subscription_succeeded")).contains(channel);
    }

    static void subscribePrivate(Raw r, String channel) throws Exception {
        String auth = "key-a:" + PusherSignatures.hmac(SECRET, r.socketId + ":" + channel);
        r.send(JSON.writeValueAsString(Map.of("event", "pusher:subscribe", "data", Map.of("channel", channel, "auth", auth))));
        assertThat(r.next("pusher_internal:subscription_succeeded")).contains(channel);
    }
}
