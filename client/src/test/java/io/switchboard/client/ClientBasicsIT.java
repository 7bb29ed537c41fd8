package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.server.auth.TokenMinter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against a real server process: connect, subscribe, publish, receive, and refusals. */
class ClientBasicsIT {

    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static SwitchboardClientBuilder builder(String user, Recorder recorder) {
        return SwitchboardClient.builder(server.url()).token(ServerProcess.token(user)).listener(recorder);
    }

    @Test
    void connectSubscribePublishReceive() throws Exception {
        Recorder ra = new Recorder();
        Inbox inbox = new Inbox();
        try (SwitchboardClient alice = builder("alice", ra).build();
             SwitchboardClient bob = builder("bob", new Recorder()).build()) {
            Subscription sub = alice.subscribe("chat:basics", inbox);
            Welcome w = alice.connect().get(20, TimeUnit.SECONDS);
            assertThat(w.userId()).isEqualTo("alice");
            assertThat(w.heartbeatInterval()).isEqualTo(Duration.ofSeconds(25));
            assertThat(alice.state()).isEqualTo(ConnectionState.CONNECTED);
            await().atMost(Duration.ofSeconds(20)).until(sub::isSubscribed);
            assertThat(inbox.acks).hasSize(1);
            assertThat(inbox.acks.get(0).epoch()).isNotNull(); // chat: keeps history

            bob.connect().get(20, TimeUnit.SECONDS);
            PublishResult r = bob.publish("chat:basics", "{\"text\": \"hello, alice\"}").get(20, TimeUnit.SECONDS);
            assertThat(r.offset()).isEqualTo(inbox.acks.get(0).offset() + 1);

            await().atMost(Duration.ofSeconds(20)).until(() -> inbox.messages.size() == 1);
            Message m = inbox.messages.get(0);
            assertThat(m.from()).isEqualTo("bob");
            assertThat(m.payload()).isEqualTo("{\"text\": \"hello, alice\"}"); // byte for byte
            assertThat(Payloads.stringField(m.payload(), "text")).isEqualTo("hello, alice");
            assertThat(m.position()).isEqualTo(r.position());
            assertThat(ra.events).containsExactly("connecting 0", "connected");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ra.closes.size() == 1);
        assertThat(ra.closes.get(0).code()).isEqualTo(1000);
    }

    @Test
    void aWrongTokenStopsTheClientWithTheReasonAndNoRetries() throws Exception {
        Recorder r = new Recorder();
        String forged = new TokenMinter("another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8))
                .mint("mallory", Duration.ofHours(1));
        try (SwitchboardClient c = SwitchboardClient.builder(server.url()).token(forged).listener(r)
                .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(100)).build()) {
            assertThatThrownBy(() -> c.connect().join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(SwitchboardException.class)
                    .cause().hasMessageContaining("token was refused")
                    .extracting(e -> ((SwitchboardException) e).code()).isEqualTo("unauthorized");
            await().atMost(Duration.ofSeconds(10)).until(() -> r.closes.size() == 1);
            assertThat(c.state()).isEqualTo(ConnectionState.CLOSED);
            Disconnect d = r.closes.get(0);
            assertThat(d.code()).isEqualTo(4500);
            assertThat(d.willRetry()).isFalse();
            assertThat(d.reason()).isNotEmpty();
            assertThat(d.error().code()).isEqualTo("unauthorized");
            // With a 50-100 ms backoff, a client that retried would have tried many times by now.
            Thread.sleep(1_500);
            assertThat(r.events.stream().filter(e -> e.startsWith("connecting"))).hasSize(1);
            assertThat(r.disconnects).hasSize(1);
        }
    }

    @Test
    void anUpgradeRefusedWithAnHttpClientErrorIsFinal() {
        Recorder r = new Recorder();
        try (SwitchboardClient c = SwitchboardClient.builder("ws://127.0.0.1:" + server.port + "/not-ws")
                .token(ServerProcess.token("erin")).listener(r).build()) {
            assertThatThrownBy(() -> c.connect().join())
                    .hasCauseInstanceOf(SwitchboardException.class)
                    .cause().extracting(e -> ((SwitchboardException) e).code()).isEqualTo(SwitchboardException.HANDSHAKE_FAILED);
            assertThat(c.state()).isEqualTo(ConnectionState.CLOSED);
            await().atMost(Duration.ofSeconds(10)).until(() -> r.closes.size() == 1);
            assertThat(r.closes.get(0).reason()).contains("HTTP 404");
        }
    }

    @Test
    void commandsIssuedBeforeConnectingAreSentOnceConnected() throws Exception {
        Inbox inbox = new Inbox();
        try (SwitchboardClient c = builder("carol", new Recorder()).build()) {
            c.subscribe("chat:early", inbox);
            var published = c.publish("chat:early", "\"first\"");
            assertThat(published).isNotDone();
            c.connect();
            assertThat(published.get(20, TimeUnit.SECONDS).offset()).isPositive();
            // The subscribe went out first, so the client's own message comes back to it.
            await().atMost(Duration.ofSeconds(20)).until(() -> inbox.payloads().contains("\"first\""));
        }
    }

    @Test
    void pingHistoryPresenceAndUnsubscribe() throws Exception {
        Inbox inbox = new Inbox();
        try (SwitchboardClient c = builder("dave", new Recorder()).build()) {
            c.connect().get(20, TimeUnit.SECONDS);
            Duration rtt = c.ping().get(20, TimeUnit.SECONDS);
            assertThat(rtt).isPositive().isLessThan(Duration.ofSeconds(20));

            Subscription sub = c.subscribe("chat:misc", inbox);
            await().atMost(Duration.ofSeconds(20)).until(sub::isSubscribed);
            for (int i = 1; i <= 3; i++) {
                c.publish("chat:misc", Integer.toString(i)).get(20, TimeUnit.SECONDS);
            }
            HistoryPage page = c.history("chat:misc", HistoryQuery.oldest(10)).get(20, TimeUnit.SECONDS);
            assertThat(page.messages()).extracting(Message::payload).containsExactly("1", "2", "3");
            assertThat(page.messages()).extracting(Message::from).containsOnly("dave");
            HistoryPage newest = c.history("chat:misc", HistoryQuery.newest(1)).get(20, TimeUnit.SECONDS);
            assertThat(newest.messages()).extracting(Message::payload).containsExactly("3");

            Presence who = c.presence("chat:misc").get(20, TimeUnit.SECONDS);
            assertThat(who.clients()).extracting(Presence.Client::userId).containsExactly("dave");

            assertThatThrownBy(() -> c.history("misc", HistoryQuery.oldest(1)).join())
                    .hasCauseInstanceOf(SwitchboardException.class)
                    .cause().extracting(e -> ((SwitchboardException) e).code()).isEqualTo("not_available");

            await().atMost(Duration.ofSeconds(20)).until(() -> inbox.messages.size() == 3);
            sub.unsubscribe().get(20, TimeUnit.SECONDS);
            sub.unsubscribe().get(20, TimeUnit.SECONDS);
            c.publish("chat:misc", "4").get(20, TimeUnit.SECONDS);
            c.ping().get(20, TimeUnit.SECONDS); // anything the server sent before the pong has arrived
            assertThat(inbox.payloads()).containsExactly("1", "2", "3");
        }
    }
}
