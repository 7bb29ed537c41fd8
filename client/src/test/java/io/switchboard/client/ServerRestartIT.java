package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A server that crashes (SIGKILL) and comes back on the same port: the client finds its way back alone. */
class ServerRestartIT {

    @Test
    void reconnectsResubscribesAndMessagesFlowAgainAfterACrash() throws Exception {
        try (ServerProcess server = ServerProcess.start()) {
            Recorder ra = new Recorder();
            Recorder rb = new Recorder();
            Inbox history = new Inbox();
            Inbox live = new Inbox();
            try (SwitchboardClient alice = SwitchboardClient.builder(server.url()).token(ServerProcess.token("alice"))
                         .reconnectDelay(Duration.ofMillis(200), Duration.ofSeconds(2)).listener(ra).build();
                 SwitchboardClient bob = SwitchboardClient.builder(server.url()).token(ServerProcess.token("bob"))
                         .reconnectDelay(Duration.ofMillis(200), Duration.ofSeconds(2)).listener(rb).build()) {
                Subscription withHistory = alice.subscribe("chat:crash", history);
                Subscription liveOnly = alice.subscribe("news", live);
                alice.connect().get(20, TimeUnit.SECONDS);
                bob.connect().get(20, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(20)).until(() -> withHistory.isSubscribed() && liveOnly.isSubscribed());
                bob.publish("chat:crash", "\"before\"").get(20, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(20)).until(() -> history.messages.size() == 1);

                server.kill();
                await().atMost(Duration.ofSeconds(20)).until(() -> !ra.disconnects.isEmpty());
                Disconnect lost = ra.disconnects.get(0);
                assertThat(lost.code()).isEqualTo(1006);
                assertThat(lost.willRetry()).isTrue();
                assertThat(withHistory.isSubscribed()).isFalse();
                // It keeps trying while the server is down (connections refused), without giving up.
                Thread.sleep(1_000);
                assertThat(alice.state()).isNotEqualTo(ConnectionState.CLOSED);

                server.launch();
                await().atMost(Duration.ofSeconds(30)).until(() -> ra.welcomes.size() == 2 && rb.welcomes.size() == 2);
                await().atMost(Duration.ofSeconds(20)).until(() -> withHistory.isSubscribed() && liveOnly.isSubscribed());
                // The in-memory stream died with the process: the client is told it could not recover.
                SubscribeResult again = history.acks.get(history.acks.size() - 1);
                assertThat(again.resubscribed()).isTrue();
                assertThat(again.recovered()).isFalse();
                assertThat(again.reason()).isEqualTo("epoch_changed");
                assertThat(again.mayHaveMissedMessages()).isTrue();
                assertThat(live.acks.get(live.acks.size() - 1).mayHaveMissedMessages()).isTrue();

                bob.publish("chat:crash", "\"after\"").get(20, TimeUnit.SECONDS);
                bob.publish("news", "\"live\"").get(20, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(20)).until(() -> history.messages.size() == 2 && live.messages.size() == 1);
                assertThat(history.payloads()).containsExactly("\"before\"", "\"after\"");
                assertThat(live.payloads()).containsExactly("\"live\"");
                assertThat(ra.closes).isEmpty();
            }
        }
    }
}
