package io.switchboard.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.switchboard.client.Message;
import io.switchboard.client.SwitchboardClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The embedded node's warm-up: off unless the builder asks for it, and then run before the port is bound. */
class WarmUpIT {

    private static final String SECRET = "an-embedded-test-secret-of-32-bytes-or-more";

    private final Logger ours = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("io.switchboard");
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();

    @BeforeEach
    void listen() {
        seen.start();
        ours.addAppender(seen);
    }

    @AfterEach
    void stopListening() {
        ours.detachAppender(seen);
    }

    private List<String> messages() {
        synchronized (seen) {
            return seen.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void aNodeAskedToWarmUpDoesSoBeforeItListensAndThenServes() throws Exception {
        try (Switchboard sb = Switchboard.builder().port(0).ioThreads(1).jwtSecret(SECRET).warmUpSessions(200).build().start()) {
            List<String> lines = messages();
            int warming = indexOf(lines, "warming up: 200 sessions");
            int warmed = indexOf(lines, "warmed up: 200 sessions in ");
            int listening = indexOf(lines, "listening on 127.0.0.1:" + sb.port() + " ");
            assertThat(warming).as(lines.toString()).isNotNegative();
            assertThat(warmed).as(lines.toString()).isGreaterThan(warming);
            assertThat(listening).as(lines.toString()).isGreaterThan(warmed);
            // the throwaway node's own "listening on" was held back
            assertThat(lines.stream().filter(l -> l.startsWith("listening on"))).hasSize(1);

            List<Message> heard = new CopyOnWriteArrayList<>();
            try (SwitchboardClient c = SwitchboardClient.builder(sb.webSocketUrl()).token(sb.mintToken("u", Duration.ofMinutes(5))).build()) {
                var sub = c.subscribe("chat:after-warm-up", heard::add);
                c.connect().get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(sub::isSubscribed);
                sb.publish("chat:after-warm-up", "{\"n\":1}").toCompletableFuture().get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 1);
            }
        }
    }

    @Test
    void byDefaultTheEmbeddedNodeStartsWithoutAWarmUp() {
        try (Switchboard sb = Switchboard.builder().port(0).ioThreads(1).jwtSecret(SECRET).build().start()) {
            // "listening on" comes after any warm-up: once it is logged, a warm-up line would be there too
            List<String> lines = messages();
            assertThat(indexOf(lines, "listening on 127.0.0.1:" + sb.port() + " ")).as(lines.toString()).isNotNegative();
            assertThat(lines).noneMatch(l -> l.startsWith("warming up") || l.startsWith("warmed up"));
        }
    }

    @Test
    void aPortThatIsTakenFailsTheStartBeforeTheWarmUp() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Switchboard node = Switchboard.builder().port(taken.getLocalPort()).ioThreads(1).jwtSecret(SECRET).warmUpSessions(3000).build();
            assertThatThrownBy(node::start).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": the address is already in use");
            assertThat(messages()).noneMatch(l -> l.startsWith("warming up"));
            assertThat(node.isRunning()).isFalse();
        }
    }

    @Test
    void aStartInterruptedDuringTheWarmUpFailsAndLeavesNothingRunning() {
        Switchboard node = Switchboard.builder().port(0).ioThreads(1).jwtSecret(SECRET).warmUpSessions(3000).build();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(node::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("interrupted while starting");
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(node.isRunning()).isFalse();
        assertThat(messages()).noneMatch(l -> l.startsWith("listening on"));
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
