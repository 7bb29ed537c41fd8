package io.switchboard.server.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.server.config.PusherApp;
import io.switchboard.server.pusher.PusherProtocolIT.Raw;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pusher connections count in the node's metrics with {@code protocol="pusher"} (native ones with
 * {@code protocol="native"}), per app in {@code switchboard_pusher_app_connections}, and in {@code /api/stats}
 * (the admin page's source) as {@code pusher.connections} and {@code pusher.apps}.
 */
class PusherMetricsIT {

    static final String KEY = "pusher-metrics-api-key-0123";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void pusherConnectionsAndMessagesAreCountedByProtocolAndApp() throws Exception {
        List<PusherApp> apps = List.of(PusherApp.of("1001", "key-a", "secret-a-0123456789"), PusherApp.of("1002", "key-b", "secret-b-0123456789"));
        try (TestServer node = TestServer.start(TestServer.config().pusherApps(apps).apiKeys(List.of(KEY)));
             WsClient nativeClient = node.client("native-1")) {
            Raw a1 = Raw.connect(node.port(), "/app/key-a?protocol=7", true);
            Raw a2 = Raw.connect(node.port(), "/app/key-a?protocol=7", true);
            Raw b1 = Raw.connect(node.port(), "/app/key-b?protocol=7", true);
            for (Raw r : List.of(a1, a2, b1)) {
                r.next("pusher:connection_established");
            }
            a1.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}");
            a1.next("pusher_internal:subscription_succeeded");
            a1.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            a1.next("pusher:pong");

            Map<String, Double> s = scrape(node.port());
            assertThat(s.get("switchboard_connections_open{protocol=\"pusher\"}")).isEqualTo(3);
            assertThat(s.get("switchboard_connections_open{protocol=\"native\"}")).isEqualTo(1);
            assertThat(s.get("switchboard_connections_opened_total{protocol=\"pusher\"}")).isEqualTo(3);
            assertThat(s.get("switchboard_pusher_app_connections{app=\"1001\"}")).isEqualTo(2);
            assertThat(s.get("switchboard_pusher_app_connections{app=\"1002\"}")).isEqualTo(1);
            assertThat(s.get("switchboard_messages_in_total{protocol=\"pusher\",type=\"pusher:subscribe\"}")).isEqualTo(1);
            assertThat(s.get("switchboard_messages_in_total{protocol=\"pusher\",type=\"pusher:ping\"}")).isEqualTo(1);
            // connection_established x3, subscription_succeeded, pong
            assertThat(s.get("switchboard_messages_out_total{protocol=\"pusher\",type=\"event\"}")).isEqualTo(5);
            assertThat(s.get("switchboard_messages_in_total{protocol=\"native\",type=\"subscribe\"}")).isZero();

            // A publication a Pusher connection gets is one Pusher event, not also a native message.
            String internal = apps.get(0).namespace() + ":news";
            node.server.node().channels().publish(io.switchboard.server.node.Caller.server(), internal,
                    "{\"event\":\"e1\",\"data\":\"{}\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8), null,
                    System.nanoTime()).join();
            a1.next("e1");
            Map<String, Double> published = await("the delivery counted").atMost(Duration.ofSeconds(10))
                    .until(() -> scrape(node.port()), m -> m.get("switchboard_messages_out_total{protocol=\"pusher\",type=\"event\"}") == 6);
            assertThat(published.get("switchboard_messages_out_total{protocol=\"native\",type=\"message\"}")).isZero();
            assertThat(published.get("switchboard_bytes_out_total{protocol=\"native\",type=\"message\"}")).isZero();

            JsonNode pusher = await("stats with the Pusher connections").atMost(Duration.ofSeconds(10))
                    .until(() -> stats(node.port()).path("pusher"), p -> p.path("connections").asInt() == 3);
            assertThat(pusher.path("apps").path("1001").asInt()).isEqualTo(2);
            assertThat(pusher.path("apps").path("1002").asInt()).isEqualTo(1);

            a2.ws.sendClose(1000, "").join();
            await("a2's close counted").atMost(Duration.ofSeconds(10)).until(() ->
                    scrape(node.port()).getOrDefault("switchboard_connections_closed_total{code=\"1000\",protocol=\"pusher\"}", 0.0) == 1.0);
            Map<String, Double> after = scrape(node.port());
            assertThat(after.get("switchboard_connections_open{protocol=\"pusher\"}")).isEqualTo(2);
            assertThat(after.get("switchboard_pusher_app_connections{app=\"1001\"}")).isEqualTo(1);
            assertThat(after.getOrDefault("switchboard_connections_closed_total{code=\"1000\",protocol=\"native\"}", 0.0)).isZero();
            a1.ws.abort();
            b1.ws.abort();
        }
    }

    static Map<String, Double> scrape(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Double> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    static JsonNode stats(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/stats"))
                .header("X-API-Key", KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
