package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.ClusterConfig;
import io.switchboard.server.config.HooksConfig;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.engine.Engine;
import io.switchboard.server.node.Engines;
import io.switchboard.server.testing.ExternalServer;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Server-side subscriptions: the token's {@code subscribe} claim and the personal channel subscribe a connection
 * when it opens, with a {@code subscribed} push giving the position; the server API subscribes every connection
 * of a user, on every node of a cluster (two nodes on the test's own Redis); a backend's publish to the personal
 * channel reaches every connection of that user and nobody else.
 */
class ServerSubscriptionsIT {

    static final String KEY = "api-key-for-server-subscriptions";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static ServerConfig config() {
        Namespaces ns = Namespaces.builder().put(NamespaceConfig.plain("user").withHistory(50, Duration.ofMinutes(5))).build();
        return TestServer.config().namespaces(ns).apiKeys(List.of(KEY)).hooks(HooksConfig.none().withPersonalNamespace("user"));
    }

    static int post(TestServer node, String path, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).header("X-API-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static Envelope subscribed(WsClient c, String channel) throws InterruptedException {
        return c.await(e -> e.type() == MessageType.SUBSCRIBED && channel.equals(e.channel()));
    }

    static Envelope message(WsClient c, String channel) throws InterruptedException {
        return c.await(e -> e.type() == MessageType.MESSAGE && channel.equals(e.channel()));
    }

    @Test
    void theTokensListAndThePersonalChannelAreSubscribedWhenAConnectionOpens() throws Exception {
        try (TestServer node = TestServer.start(config())) {
            WsClient alice = node.client("alice", Map.of("subscribe", List.of("news", "chat:team")));
            Envelope news = subscribed(alice, "news");
            assertThat(news.payload()).as("live only: no position").isNull();
            JsonNode team = JSON.readTree(subscribed(alice, "chat:team").payload());
            assertThat(team.get("epoch").asText()).isNotEmpty();
            assertThat(team.get("offset").asLong()).isEqualTo(0);
            subscribed(alice, "user:#alice");
            // They are subscriptions like the client's own: messages arrive, and a client subscribe is already_subscribed.
            WsClient bob = node.client("bob");
            assertThat(bob.publish("chat:team", "{\"n\":1}").type()).isEqualTo(MessageType.ACK);
            Envelope m = message(alice, "chat:team");
            assertThat(m.offset()).isEqualTo(1);
            assertThat(alice.subscribe("chat:team").code()).isEqualTo("already_subscribed");
            assertThat(alice.call("unsubscribe", "news", null).type()).isEqualTo(MessageType.ACK);
            // A backend publishes to alice's personal channel: both of her connections get it, bob (subscribed
            // to his own) does not, and nobody else may subscribe to hers.
            WsClient alice2 = node.client("alice");
            subscribed(alice2, "user:#alice");
            subscribed(bob, "user:#bob");
            assertThat(post(node, "/api/publish", "{\"channel\":\"user:#alice\",\"payload\":{\"note\":\"for alice\"}}")).isEqualTo(200);
            assertThat(message(alice, "user:#alice").payloadText()).isEqualTo("{\"note\":\"for alice\"}");
            assertThat(message(alice2, "user:#alice").payloadText()).isEqualTo("{\"note\":\"for alice\"}");
            assertThat(bob.subscribe("user:#alice").code()).isEqualTo("forbidden");
            assertThat(post(node, "/api/publish", "{\"channel\":\"user:#bob\",\"payload\":{\"note\":\"for bob\"}}")).isEqualTo(200);
            assertThat(message(bob, "user:#bob").payloadText()).isEqualTo("{\"note\":\"for bob\"}");
            // The sentinel for bob came after alice's note: had bob got alice's, it would be before it.
            assertThat(bob.received).noneMatch(e -> e.type() == MessageType.MESSAGE && "user:#alice".equals(e.channel()));
        }
    }

    @Test
    void theServerApiSubscribesEveryConnectionOfAUserOnEveryNode() throws Exception {
        try (ExternalServer redis = ExternalServer.redis()) {
            ClusterConfig cc = new ClusterConfig("redis", List.of(redis.url()), "redis", null);
            Engine e1 = Engines.create(cc);
            Engine e2 = Engines.create(cc);
            try (TestServer n1 = TestServer.start(config().cluster(cc), e1);
                 TestServer n2 = TestServer.start(config().cluster(cc), e2)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> e1.isReady() && e2.isReady());
                WsClient a1 = n1.client("carol");
                WsClient a2 = n2.client("carol");
                WsClient other = n2.client("dave");
                assertThat(post(n1, "/api/subscribe", "{\"userId\":\"carol\",\"channel\":\"chat:ops\"}")).isEqualTo(200);
                JsonNode p1 = JSON.readTree(subscribed(a1, "chat:ops").payload());
                JsonNode p2 = JSON.readTree(subscribed(a2, "chat:ops").payload());
                assertThat(p1.get("epoch").asText()).isEqualTo(p2.get("epoch").asText());
                assertThat(post(n2, "/api/publish", "{\"channel\":\"chat:ops\",\"payload\":{\"alert\":1}}")).isEqualTo(200);
                assertThat(message(a1, "chat:ops").payloadText()).isEqualTo("{\"alert\":1}");
                assertThat(message(a2, "chat:ops").payloadText()).isEqualTo("{\"alert\":1}");
                // dave was not subscribed: his first message is the sentinel on his own personal channel.
                assertThat(post(n1, "/api/publish", "{\"channel\":\"user:#dave\",\"payload\":{\"sentinel\":true}}")).isEqualTo(200);
                Envelope first = other.await(e -> e.type() == MessageType.MESSAGE);
                assertThat(first.channel()).isEqualTo("user:#dave");
                // An unknown namespace is refused by the API, a bad request.
                assertThat(post(n1, "/api/subscribe", "{\"userId\":\"carol\",\"channel\":\"nope:x\"}")).isNotEqualTo(200);
                assertThat(post(n1, "/api/subscribe", "{\"userId\":\"carol\"}")).isEqualTo(400);
            }
        }
    }
}
