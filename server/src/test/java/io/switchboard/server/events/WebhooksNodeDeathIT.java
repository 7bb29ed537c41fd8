package io.switchboard.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.server.config.ClusterConfig;
import io.switchboard.server.config.WebhookConfig;
import io.switchboard.server.engine.Engine;
import io.switchboard.server.node.Engines;
import io.switchboard.server.testing.ExternalServer;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Three nodes on the test's own Redis; one of them dies without any clean shutdown (its engine is cut off
 * from Redis at once, so nothing it does afterwards reaches the cluster). Once its liveness mark runs out the
 * survivors produce its connections' last events: each channel's {@code presence_leave} and
 * {@code unsubscribe}, then {@code disconnect} (1006, {@code node_lost}), once each after de-duplication by
 * id, in order per user.
 */
class WebhooksNodeDeathIT {

    @Test
    void aDeadNodesConnectionsStillGetTheirLastEventsOnceInOrder() throws Exception {
        try (ExternalServer redis = ExternalServer.redis(); WebhookReceiver receiver = new WebhookReceiver(WebhooksIT.SECRET)) {
            ClusterConfig cc = new ClusterConfig("redis", List.of(redis.url()), "redis", null);
            WebhookConfig hooks = new WebhookConfig(List.of(new WebhookConfig.Endpoint("main", receiver.url(), WebhooksIT.SECRET,
                    Set.copyOf(WebhookConfig.EVENT_TYPES), Set.of())), Duration.ofHours(1), Duration.ofMillis(20),
                    Duration.ofMillis(200), Duration.ofSeconds(5), 50, Duration.ofSeconds(2));
            List<TestServer> nodes = new ArrayList<>();
            List<Engine> engines = new ArrayList<>();
            List<WsClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Engine engine = Engines.create(cc);
                    engines.add(engine);
                    nodes.add(TestServer.start(TestServer.config().cluster(cc).webhooks(hooks), engine));
                    await().atMost(Duration.ofSeconds(30)).until(engine::isReady);
                }
                WsClient stays = nodes.get(0).client("stays");
                stays.subscribe("chat:room");
                clients.add(stays);
                List<String> doomed = List.of("d0", "d1", "d2", "d3", "d4");
                for (String u : doomed) {
                    WsClient c = nodes.get(2).client(u);
                    c.subscribe("chat:room");
                    c.subscribe("chat:" + u);
                    clients.add(c);
                }
                await().atMost(Duration.ofSeconds(15)).until(() -> receiver.ofType("subscribe").size() == 11);

                engines.get(2).close(); // node 2 dies: nothing it does from now on reaches Redis

                await().atMost(Duration.ofSeconds(30)).until(() -> receiver.ofType("disconnect").size() == doomed.size());
                // A sentinel after the reaping: once its events are in, anything produced twice would be too.
                WsClient sentinel = nodes.get(1).client("sentinel");
                sentinel.close();
                await().atMost(Duration.ofSeconds(15)).until(() -> receiver.typesFor("sentinel").contains("disconnect"));
                for (String u : doomed) {
                    assertThat(receiver.typesFor(u)).as(u).containsExactly("connect", "subscribe chat:room",
                            "presence_join chat:room", "subscribe chat:" + u, "presence_join chat:" + u,
                            "presence_leave chat:room", "unsubscribe chat:room", "presence_leave chat:" + u,
                            "unsubscribe chat:" + u, "disconnect");
                }
                for (JsonNode d : receiver.ofType("disconnect")) {
                    if (doomed.contains(d.get("user").asText())) {
                        assertThat(d.get("code").asInt()).isEqualTo(1006);
                        assertThat(d.get("reason").asText()).isEqualTo("node_lost");
                    }
                }
                // Each doomed user's own channel emptied; the shared one still has "stays".
                assertThat(receiver.ofType("channel_vacated")).extracting(e -> e.get("channel").asText())
                        .containsExactlyInAnyOrder("chat:d0", "chat:d1", "chat:d2", "chat:d3", "chat:d4");
                assertThat(receiver.typesFor("stays")).containsExactly("connect", "subscribe chat:room", "presence_join chat:room");
                WebhooksIT.assertSequencesRunByOne(receiver.unique());
                assertThat(receiver.badSignatures).hasValue(0);
            } finally {
                clients.forEach(WsClient::close);
                nodes.forEach(TestServer::close);
                engines.forEach(Engine::close);
            }
        }
    }
}
