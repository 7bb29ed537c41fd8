package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Heartbeats both ways against a real server with a 1 s interval and a 2 s timeout. */
class HeartbeatIT {

    @Test
    void answersPingsAndDetectsAFrozenServerWithinIntervalPlusTimeout() throws Exception {
        try (ServerProcess server = ServerProcess.start("--heartbeat-interval", "1s", "--heartbeat-timeout", "2s")) {
            Recorder r = new Recorder();
            Inbox inbox = new Inbox();
            try (SwitchboardClient c = SwitchboardClient.builder(server.url()).token(ServerProcess.token("hb"))
                    .connectTimeout(Duration.ofSeconds(3)).reconnectDelay(Duration.ofMillis(200), Duration.ofSeconds(1))
                    .listener(r).build()) {
                Subscription sub = c.subscribe("chat:hb", inbox);
                Welcome w = c.connect().get(20, TimeUnit.SECONDS);
                assertThat(w.heartbeatInterval().plus(w.heartbeatTimeout())).isEqualTo(Duration.ofSeconds(3));
                // Four pings come and go: a client that did not answer would be closed with 4000 after ~3 s.
                Thread.sleep(4_000);
                assertThat(r.disconnects).as("server closed us: %s", r.events).isEmpty();

                long frozenAt = System.nanoTime();
                server.pause(); // SIGSTOP: the socket stays open, nothing comes through it
                try {
                    await().atMost(Duration.ofSeconds(20)).until(() -> !r.disconnects.isEmpty());
                    long detectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
                    Disconnect d = r.disconnects.get(0);
                    assertThat(d.code()).isEqualTo(4000);
                    assertThat(d.reason()).contains("no frame from the server for 3000 ms");
                    assertThat(d.willRetry()).isTrue();
                    // The last frame came at most one interval before the freeze, so the deadline falls 2-3 s
                    // after it; the margin is for a busy machine.
                    assertThat(detectedMs).isBetween(1_900L, 3_000L + 2_500L);
                } finally {
                    server.resume();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> r.welcomes.size() >= 2 && sub.isSubscribed());
                c.publish("chat:hb", "\"still here\"").get(20, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(20)).until(() -> inbox.payloads().contains("\"still here\""));
            }
        }
    }
}
