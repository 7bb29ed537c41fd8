package io.switchboard.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.client.ConnectionListener;
import io.switchboard.client.Disconnect;
import io.switchboard.client.Message;
import io.switchboard.client.Payloads;
import io.switchboard.client.SubscriptionListener;
import io.switchboard.client.SwitchboardClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An embedded node on an ephemeral port, driven by the Java client and by the application's own calls. */
class EmbeddedNodeIT {

    private static final String SECRET = "an-embedded-test-secret-of-32-bytes-or-more";

    @Test
    void theApplicationPublishesReadsHistoryAndPresenceAndDisconnects() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Switchboard sb = Switchboard.builder().port(0).ioThreads(1).jwtSecret(SECRET).meterRegistry(registry).build().start()) {
            assertThat(sb.isReady()).isTrue();
            assertThat(sb.engineName()).isEqualTo("memory");
            List<Message> heard = new CopyOnWriteArrayList<>();
            List<Disconnect> closed = new CopyOnWriteArrayList<>();
            try (SwitchboardClient alice = SwitchboardClient.builder(sb.webSocketUrl()).token(sb.mintToken("alice", Duration.ofMinutes(5)))
                    .listener(new ConnectionListener() {
                        @Override
                        public void onClosed(Disconnect last) {
                            closed.add(last);
                        }
                    }).build()) {
                var sub = alice.subscribe("chat:room", heard::add);
                alice.connect().get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(sub::isSubscribed);

                Published p = sb.publish("chat:room", "{\"text\":\"from the app\"}").toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(p.offset()).isEqualTo(1);
                await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 1);
                assertThat(Payloads.stringField(heard.get(0).payload(), "text")).isEqualTo("from the app");
                assertThat(heard.get(0).from()).isNull();

                History h = sb.history("chat:room", 10).toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(h.messages()).extracting(Message2::json).containsExactly("{\"text\":\"from the app\"}");
                assertThat(sb.presence("chat:room").toCompletableFuture().get(10, TimeUnit.SECONDS))
                        .extracting(PresenceMember::userId).containsExactly("alice");
                // The node's meters are in the application's registry while it runs.
                assertThat(registry.get("switchboard.connections.open").tag("protocol", "native").gauge().value()).isEqualTo(1.0);

                sb.disconnect("alice").toCompletableFuture().get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> !closed.isEmpty());
                assertThat(closed.get(0).code()).isEqualTo(4503);
            }
            assertThatThrownBy(() -> sb.publish("nowhere:x", "{}").toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SwitchboardException.class)
                    .extracting(e -> ((SwitchboardException) e).code()).isEqualTo("unknown_channel");
            assertThatThrownBy(() -> sb.publish("chat:room", "{not json").toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .cause().extracting(e -> ((SwitchboardException) e).code()).isEqualTo("bad_request");
        }
        // Closing the node takes its meters out of the application's registry.
        assertThat(registry.find("switchboard.connections.open").gauge()).isNull();
    }

    @Test
    void hooksDecideWhoConnectsSubscribesAndWhatIsPublished() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch released = new CountDownLatch(1);
        Switchboard node = Switchboard.builder().port(0).ioThreads(1).meterRegistry(registry)
                .namespace(Namespace.named("staff").history(10, Duration.ofMinutes(5)))
                // Tokens here are the application's own: "user:<name>"; anything else is refused.
                .authenticator(token -> token != null && token.startsWith("user:")
                        ? ConnectDecision.allow(User.of(token.substring(5))) : ConnectDecision.refuse("not one of ours"))
                .onConnect(r -> r.user().id().equals("mallory") ? ConnectDecision.refuse("mallory is banned") : ConnectDecision.allow(r.user()))
                .onSubscribe(r -> {
                    if (r.userId().equals("slow")) {
                        released.await(30, TimeUnit.SECONDS); // blocks past the hook timeout
                        return Decision.allow();
                    }
                    if (r.userId().equals("broken")) {
                        throw new IllegalStateException("the application's bug");
                    }
                    return r.channel().startsWith("staff:") && !r.userId().equals("boss")
                            ? Decision.refuse("staff channels are for the boss") : Decision.allow();
                })
                .onPublishAsync(r -> CompletableFuture.completedFuture(r.payloadJson().contains("darn")
                        ? PublishDecision.replace("{\"text\":\"***\"}") : PublishDecision.allow()))
                .hookTimeout(Duration.ofMillis(500))
                .build();
        try (Switchboard sb = node.start()) {
            String url = sb.webSocketUrl();
            // Connect: the authenticator refuses a foreign token, the connect hook refuses a user.
            for (String token : new String[] {"jwt-of-someone-else", "user:mallory"}) {
                try (SwitchboardClient c = SwitchboardClient.builder(url).token(token).build()) {
                    assertThatThrownBy(() -> c.connect().get(10, TimeUnit.SECONDS)).cause()
                            .extracting(e -> ((io.switchboard.client.SwitchboardException) e).code()).isEqualTo("unauthorized");
                }
            }
            try (SwitchboardClient boss = SwitchboardClient.builder(url).token("user:boss").build();
                 SwitchboardClient clerk = SwitchboardClient.builder(url).token("user:clerk").build();
                 SwitchboardClient slow = SwitchboardClient.builder(url).token("user:slow").build();
                 SwitchboardClient broken = SwitchboardClient.builder(url).token("user:broken").build()) {
                boss.connect().get(10, TimeUnit.SECONDS);
                clerk.connect().get(10, TimeUnit.SECONDS);
                List<Message> bossHeard = new CopyOnWriteArrayList<>();
                var staff = boss.subscribe("staff:room", bossHeard::add);
                await().atMost(Duration.ofSeconds(10)).until(staff::isSubscribed);

                assertThat(refusal(clerk, "staff:room")).isEqualTo("forbidden");
                slow.connect().get(10, TimeUnit.SECONDS);
                broken.connect().get(10, TimeUnit.SECONDS);
                assertThat(firstError(slow, "staff:room")).isEqualTo("unavailable");
                assertThat(firstError(broken, "staff:room")).isEqualTo("unavailable");
                released.countDown();

                // The publish hook rewrites; the boss hears the replacement, then the sentinel as sent.
                boss.publish("staff:room", Payloads.object("text", "darn it")).get(10, TimeUnit.SECONDS);
                boss.publish("staff:room", Payloads.object("text", "sentinel")).get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> bossHeard.size() == 2);
                assertThat(bossHeard).extracting(m -> Payloads.stringField(m.payload(), "text")).containsExactly("***", "sentinel");
                // The application's own publish is not shown to the hook.
                sb.publish("staff:room", "{\"text\":\"darn from the server\"}").toCompletableFuture().get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> bossHeard.size() == 3);
                assertThat(Payloads.stringField(bossHeard.get(2).payload(), "text")).isEqualTo("darn from the server");
            }
            assertThat(registry.get("switchboard.hook.failures").tag("hook", "subscribe").tag("reason", "timeout").counter().count()).isEqualTo(1);
            assertThat(registry.get("switchboard.hook.failures").tag("hook", "subscribe").tag("reason", "threw").counter().count()).isEqualTo(1);
        }
    }

    @Test
    void theRpcHookAnswersTheJavaClientsCallsAtTheirRate() throws Exception {
        Switchboard node = Switchboard.builder().port(0).ioThreads(1).jwtSecret(SECRET)
                .onRpc(r -> switch (r.method()) {
                    case "who" -> RpcResult.of("{\"caller\":\"" + r.userId() + "\",\"arg\":" + r.payloadJson() + "}");
                    case "ban" -> RpcResult.refuse("moderators only");
                    case "bad" -> RpcResult.of("not json");
                    default -> RpcResult.notAvailable("no method " + r.method());
                })
                .rpcLimit("who", 1, 2)
                .build();
        List<Message> serverSide = new CopyOnWriteArrayList<>();
        try (Switchboard sb = node.start();
             SwitchboardClient alice = SwitchboardClient.builder(sb.webSocketUrl()).token(sb.mintToken("alice", Duration.ofMinutes(5)))
                     .onServerSubscription(channel -> serverSide::add).build()) {
            alice.connect().get(10, TimeUnit.SECONDS);
            // The application subscribes the user on the server side; the client is told and gets the messages.
            sb.subscribe("alice", "chat:alerts").toCompletableFuture().get(10, TimeUnit.SECONDS);
            // Publish until one arrives: the subscription is made asynchronously after the call returns.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                sb.publish("chat:alerts", "{\"alert\":1}").toCompletableFuture().get(10, TimeUnit.SECONDS);
                return !serverSide.isEmpty();
            });
            assertThat(serverSide.get(0).channel()).isEqualTo("chat:alerts");
            assertThat(alice.rpc("who", "[1,2]").get(10, TimeUnit.SECONDS)).isEqualTo("{\"caller\":\"alice\",\"arg\":[1,2]}");
            assertThat(rpcError(alice, "ban")).isEqualTo("forbidden");
            assertThat(rpcError(alice, "nope")).isEqualTo("not_available");
            assertThat(rpcError(alice, "bad")).isEqualTo("unavailable");
            assertThat(alice.rpc("who", null).get(10, TimeUnit.SECONDS)).isEqualTo("{\"caller\":\"alice\",\"arg\":null}");
            assertThat(rpcError(alice, "who")).isEqualTo("rate_limited"); // its burst of 2 is spent
        }
    }

    private static String rpcError(SwitchboardClient c, String method) throws Exception {
        try {
            c.rpc(method, "{}").get(10, TimeUnit.SECONDS);
            return "none";
        } catch (ExecutionException e) {
            return ((io.switchboard.client.SwitchboardException) e.getCause()).code();
        }
    }

    /** The code a subscribe is refused with for good. */
    private static String refusal(SwitchboardClient c, String channel) throws Exception {
        CompletableFuture<String> code = new CompletableFuture<>();
        c.subscribe(channel, new SubscriptionListener() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onUnsubscribed(io.switchboard.client.SwitchboardException reason) {
                code.complete(reason.code());
            }
        });
        return code.get(10, TimeUnit.SECONDS);
    }

    /** The code of the first error a subscribe gets (retryable ones are retried by the client). */
    private static String firstError(SwitchboardClient c, String channel) throws Exception {
        CompletableFuture<String> code = new CompletableFuture<>();
        var sub = c.subscribe(channel, new SubscriptionListener() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onError(io.switchboard.client.SwitchboardException error) {
                code.complete(error.code());
            }
        });
        try {
            return code.get(10, TimeUnit.SECONDS);
        } finally {
            sub.unsubscribe();
        }
    }

    private static final class Message2 {
        static String json(io.switchboard.embedded.Message m) {
            return m.payloadJson();
        }
    }
}
