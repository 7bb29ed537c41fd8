package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublicationSink;
import io.switchboard.server.engine.nats.NatsBroker;
import io.switchboard.server.engine.redis.RedisEngine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The cluster side of the engine SPI that the server API builds on: a control message broadcast by one
 * node reaches every node (itself included), and the node list holds each node's last report until its
 * TTL runs out. Two engines in this JVM stand for two nodes; they share a real Redis (and NATS). (This
 * lives with the client's tests because the Redis and NATS process helpers are here.)
 */
class EngineControlIT {

    @Test
    void controlReachesEveryNodeAndTheNodeListForgetsTheDead() throws Exception {
        try (ExternalServer redis = ExternalServer.redis()) {
            check(new RedisEngine(List.of(redis.url()), null), new RedisEngine(List.of(redis.url()), null));
        }
    }

    @Test
    void theSameWithNats() throws Exception {
        try (ExternalServer redis = ExternalServer.redis(); ExternalServer nats = ExternalServer.nats()) {
            check(new RedisEngine(List.of(redis.url()), new NatsBroker(nats.url())),
                    new RedisEngine(List.of(redis.url()), new NatsBroker(nats.url())));
        }
    }

    private static void check(Engine a, Engine b) throws Exception {
        Sink sa = new Sink();
        Sink sb = new Sink();
        try (a; b) {
            a.start(sa).get(10, TimeUnit.SECONDS);
            b.start(sb).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> a.isReady() && b.isReady());

            a.broadcastControl(bytes("{\"disconnect\":\"alice\"}")).get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> sa.control.size() == 1 && sb.control.size() == 1);
            assertThat(sb.control).containsExactly("{\"disconnect\":\"alice\"}");
            assertThat(sa.control).containsExactly("{\"disconnect\":\"alice\"}");

            a.reportNode("node-a", bytes("{\"sessions\":1}"), Duration.ofSeconds(30)).get(5, TimeUnit.SECONDS);
            b.reportNode("node-b", bytes("{\"sessions\":2}"), Duration.ofMillis(700)).get(5, TimeUnit.SECONDS);
            assertThat(a.nodes().get(5, TimeUnit.SECONDS)).containsOnlyKeys("node-a", "node-b");
            assertThat(new String(b.nodes().get(5, TimeUnit.SECONDS).get("node-a"), StandardCharsets.UTF_8))
                    .isEqualTo("{\"sessions\":1}");
            // node-b stops reporting (it died): it leaves the list once its TTL has passed.
            await().atMost(Duration.ofSeconds(5)).until(() -> a.nodes().get(5, TimeUnit.SECONDS).keySet().equals(java.util.Set.of("node-a")));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final class Sink implements PublicationSink {
        final List<String> control = new CopyOnWriteArrayList<>();

        @Override
        public void onPublication(Publication publication) {
        }

        @Override
        public void onControl(byte[] message) {
            control.add(new String(message, StandardCharsets.UTF_8));
        }
    }
}
