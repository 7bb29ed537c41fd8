package io.switchboard.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.config.WebhookConfig;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks against a real HTTP receiver on one node: every event type in the order things happened, signed,
 * numbered per user and per channel; a receiver that fails, answers too late or is away gets everything
 * afterwards, in order; events past the maximum age land in the dead letters, which the server API lists
 * and replays.
 */
class WebhooksIT {

    static final String SECRET = "webhook-secret-webhook-secret-0123456789";
    static final String API_KEY = "api-key-for-webhook-tests";
    static final Set<String> ALL = Set.copyOf(WebhookConfig.EVENT_TYPES);

    WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = new WebhookReceiver(SECRET);
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    static WebhookConfig hooks(String url, Set<String> events, Duration maxAge, Duration timeout) {
        return new WebhookConfig(List.of(new WebhookConfig.Endpoint("main", url, SECRET, events, Set.of())), maxAge,
                Duration.ofMillis(20), Duration.ofMillis(200), timeout, 50, Duration.ofSeconds(3));
    }

    static ServerConfig config(WebhookConfig hooks) {
        return TestServer.config().webhooks(hooks).apiKeys(List.of(API_KEY));
    }

    @Test
    void everyEventArrivesSignedInOrderAndNumberedPerUserAndChannel() throws Exception {
        try (TestServer node = TestServer.start(config(hooks(receiver.url(), ALL, Duration.ofHours(1), Duration.ofSeconds(5))))) {
            WsClient alice = node.client("alice");
            assertThat(alice.subscribe("chat:room").type()).isEqualTo(MessageType.ACK);
            WsClient bob = node.client("bob");
            bob.subscribe("chat:room");
            alice.publish("chat:room", "{\"text\":\"hi\"}");
            alice.call("unsubscribe", "chat:room", null);
            alice.close();
            bob.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.ofType("channel_vacated").size() == 1
                    && receiver.ofType("disconnect").size() == 2);
            assertThat(receiver.badSignatures).hasValue(0);
            assertThat(receiver.typesFor("alice")).containsExactly("connect", "subscribe chat:room",
                    "presence_join chat:room", "publish chat:room", "presence_leave chat:room", "unsubscribe chat:room",
                    "disconnect");
            assertThat(receiver.typesFor("bob")).containsExactly("connect", "subscribe chat:room", "presence_join chat:room",
                    "presence_leave chat:room", "unsubscribe chat:room", "disconnect");
            JsonNode disconnect = receiver.ofType("disconnect").get(0);
            assertThat(disconnect.get("code").asInt()).isEqualTo(1000);
            assertThat(disconnect.get("node").asText()).isEqualTo(node.server.node().nodeId());
            assertThat(disconnect.get("client").asText()).isNotEmpty();
            assertThat(receiver.ofType("publish").get(0).get("payload").get("text").asText()).isEqualTo("hi");
            // One occupied when alice came, one vacated when bob, the last, left.
            assertThat(receiver.ofType("channel_occupied")).hasSize(1);
            assertThat(receiver.ofType("channel_vacated").get(0).get("channel").asText()).isEqualTo("chat:room");
            assertSequencesRunByOne(receiver.unique());
        }
    }

    /** Within each ordering key (user or channel) the sequence numbers run 1, 2, 3... in arrival order. */
    static void assertSequencesRunByOne(List<JsonNode> events) {
        java.util.Map<String, Long> last = new java.util.HashMap<>();
        for (JsonNode e : events) {
            String type = e.get("type").asText();
            boolean channelKeyed = type.equals("channel_occupied") || type.equals("channel_vacated") || type.equals("publish");
            String key = channelKeyed ? "channel:" + e.get("channel").asText() : "user:" + e.get("user").asText();
            long seq = e.get("seq").asLong();
            assertThat(seq).as("sequence of %s after %s", e, last.get(key)).isEqualTo(last.getOrDefault(key, 0L) + 1);
            last.put(key, seq);
        }
    }

    @Test
    void aReceiverThatFailsOrIsAwayGetsEverythingAfterwardsInOrder() throws Exception {
        try (TestServer node = TestServer.start(config(hooks(receiver.url(), Set.of("connect", "disconnect", "subscribe"),
                Duration.ofHours(1), Duration.ofSeconds(5))))) {
            receiver.mode = WebhookReceiver.Mode.FAIL;
            List<String> users = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                users.add("user" + i);
                WsClient c = node.client("user" + i);
                c.subscribe("chat:r" + i);
                c.close();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.refused.get() >= 3);
            receiver.stop(); // and now not even there
            WsClient late = node.client("late");
            late.close();
            users.add("late");
            receiver.restart();
            receiver.mode = WebhookReceiver.Mode.OK;
            await().atMost(Duration.ofSeconds(15)).until(() -> receiver.ofType("disconnect").size() == users.size());
            for (String u : users) {
                List<String> expected = u.equals("late") ? List.of("connect", "disconnect")
                        : List.of("connect", "subscribe chat:r" + u.substring(4), "disconnect");
                assertThat(receiver.typesFor(u)).as(u).containsExactlyElementsOf(expected);
            }
            assertThat(receiver.ofType("connect")).extracting(e -> e.get("user").asText()).containsExactlyElementsOf(users);
            assertSequencesRunByOne(receiver.unique());
        }
    }

    @Test
    void aReceiverThatAnswersTooLateGetsTheSameEventsAgainWithTheSameIds() throws Exception {
        try (TestServer node = TestServer.start(config(hooks(receiver.url(), Set.of("connect"), Duration.ofHours(1),
                Duration.ofMillis(300))))) {
            receiver.delayMillis = 1000;
            node.client("slow").close();
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.events.size() >= 2);
            receiver.delayMillis = 0;
            WsClient sentinel = node.client("sentinel");
            sentinel.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.ofType("connect").size() == 2);
            assertThat(receiver.ofType("connect")).extracting(e -> e.get("user").asText()).containsExactly("slow", "sentinel");
            long copies = receiver.events.stream().filter(e -> e.get("user").asText().equals("slow")).count();
            assertThat(copies).as("at least once: the late answer did not count").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void eventsPastTheMaximumAgeAreDeadLetteredListedAndReplayed() throws Exception {
        try (TestServer node = TestServer.start(config(hooks(receiver.url(), Set.of("connect"), Duration.ofMillis(300),
                Duration.ofSeconds(5))))) {
            receiver.mode = WebhookReceiver.Mode.FAIL;
            node.client("dora").close();
            node.client("eve").close();
            HttpClient http = HttpClient.newHttpClient();
            URI list = URI.create("http://127.0.0.1:" + node.port() + "/api/webhooks/dead-letters?endpoint=main");
            await().atMost(Duration.ofSeconds(10)).until(() -> api(http, HttpRequest.newBuilder(list).GET()).get("count").asInt() == 2);
            JsonNode dead = api(http, HttpRequest.newBuilder(list).GET());
            assertThat(dead.get("events")).extracting(e -> e.get("user").asText()).containsExactly("dora", "eve");
            assertThat(dead.get("events").get(0).get("seq").asLong()).isEqualTo(1L);
            receiver.mode = WebhookReceiver.Mode.OK;
            String eve = dead.get("events").get(1).get("id").asText();
            JsonNode replayed = api(http, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/api/webhooks/replay"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"endpoint\":\"main\",\"ids\":[\"" + eve + "\"]}")));
            assertThat(replayed.get("replayed").asInt()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.ofType("connect").size() == 1);
            assertThat(receiver.ofType("connect").get(0).get("id").asText()).isEqualTo(eve);
            assertThat(api(http, HttpRequest.newBuilder(list).GET()).get("count").asInt()).isEqualTo(1);
            HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
                    + "/api/webhooks/dead-letters?endpoint=nope")).header("X-API-Key", API_KEY).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("no webhook endpoint named 'nope'");
        }
    }

    static JsonNode api(HttpClient http, HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = http.send(request.header("X-API-Key", API_KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Events.MAPPER.readTree(r.body());
    }
}
