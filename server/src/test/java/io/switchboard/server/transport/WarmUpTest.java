package io.switchboard.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.server.config.LimitsConfig;
import io.switchboard.server.config.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WarmUpTest {

    @Test
    void everySessionGoesThroughAndTheThrowawayNodeIsGoneAfterwards() {
        WarmUp.Result r = WarmUp.run(new ServerConfig(), 300, Duration.ofSeconds(60));

        assertThat(r.problem()).isNull();
        assertThat(r.started()).isEqualTo(300);
        // completed: the session's publish was acked and a message of its channel reached it before it closed
        assertThat(r.completed()).isEqualTo(300);
        assertThat(r.pusherCompleted()).as("no Pusher app, no Pusher session").isZero();
        assertThat(r.port()).isPositive();
        assertThat(accepts(r.port())).as("the throwaway node's port after the warm-up").isFalse();
        // The clients' event loop may still be on its way out when its termination future completes.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName).noneMatch(n -> n.startsWith("switchboard-warm-up")));
    }

    @Test
    void aNodeWithPusherAppsWarmsItsPusherDoorToo() {
        ServerConfig real = new ServerConfig().pusherApps(java.util.List.of(
                io.switchboard.server.config.PusherApp.of("app", "app-key", "an-app-secret-of-16-or-more")));

        WarmUp.Result r = WarmUp.run(real, 200, Duration.ofSeconds(60));

        assertThat(r.problem()).isNull();
        assertThat(r.completed()).isEqualTo(200);
        // every other session: subscribed through /app/{key}, had its own event triggered through the signed
        // HTTP API (answered 200) and received it
        assertThat(r.pusherCompleted()).isEqualTo(100);
        assertThat(accepts(r.port())).isFalse();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName).noneMatch(n -> n.startsWith("switchboard-warm-up")));
    }

    @Test
    void aWarmUpOverItsBudgetIsReportedAndDoesNotThrow() {
        WarmUp.Result r = WarmUp.run(new ServerConfig(), 100_000, Duration.ofMillis(300));

        assertThat(r.problem()).isEqualTo("it took longer than 300 ms");
        assertThat(r.started()).isLessThan(100_000);
        assertThat(r.completed()).isLessThanOrEqualTo(r.started());
        // the budget, then closing the clients (1 s at most) and the throwaway node
        assertThat(r.millis()).isLessThan(10_000);
        assertThat(accepts(r.port())).isFalse();
    }

    @Test
    void theThrowawayNodeKeepsTheLimitsOfAConnectionButNoneOfAnAddressOrAUser() {
        LimitsConfig given = new LimitsConfig(7, 9, Duration.ofSeconds(3), 11, 13, 15, 17, 19, 21);

        LimitsConfig used = WarmUp.unlimitedFromOneAddress(given);

        assertThat(used).isEqualTo(new LimitsConfig(7, 9, Duration.ofSeconds(3), 11, 13, 0, 0, 0, 21));
    }

    @Test
    void aLoggedWarmUpThatStoppedEarlySaysSoAndPutsTheLogLevelBack() {
        ch.qos.logback.classic.Logger ours = ((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory())
                .getLogger("io.switchboard");
        ch.qos.logback.classic.Level before = ours.getLevel();
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen = new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        ours.addAppender(seen);
        try {
            WarmUp.Result r = WarmUp.runLogged(new ServerConfig().warmUpSessions(100_000), Duration.ofMillis(200));

            assertThat(r.problem()).isEqualTo("it took longer than 200 ms");
            assertThat(seen.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> m.startsWith("warming up: 100000 sessions"))
                    .anyMatch(m -> m.startsWith("the warm-up stopped after") && m.endsWith("starting anyway"))
                    // the throwaway node's own INFO lines are held back
                    .noneMatch(m -> m.startsWith("listening on"));
            assertThat(ours.getLevel()).isEqualTo(before);
        } finally {
            ours.detachAppender(seen);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
