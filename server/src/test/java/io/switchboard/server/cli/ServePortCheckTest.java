package io.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** {@code serve} finds a port that is taken before its warm-up, not after it. */
class ServePortCheckTest {

    @Test
    void aPortThatIsTakenStopsServeBeforeTheWarmUp() throws IOException {
        ch.qos.logback.classic.Logger ours = ((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory())
                .getLogger("io.switchboard");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen = new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        ours.addAppender(seen);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            io.switchboard.server.testing.CliRun r = io.switchboard.server.testing.CliRun.run(java.util.Map.of(),
                    "serve", "--bind", "127.0.0.1", "--port", String.valueOf(port), "--warm-up-sessions", "3000");

            assertThat(r.exit()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).startsWith("switchboard: cannot listen on 127.0.0.1:" + port + ": the address is already in use");
            // Logged before anything else serve does: there is no warm-up line to wait for.
            assertThat(seen.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .noneMatch(m -> m.startsWith("warming up"));

            // The same for the separate metrics port, with the main port free.
            r = io.switchboard.server.testing.CliRun.run(java.util.Map.of(), "serve", "--bind", "127.0.0.1", "--port", "0",
                    "--metrics-port", String.valueOf(port), "--warm-up-sessions", "3000");
            assertThat(r.exit()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).startsWith("switchboard: cannot listen for metrics on 127.0.0.1:" + port + ": the address is already in use");
            assertThat(seen.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .noneMatch(m -> m.startsWith("warming up"));
        } finally {
            ours.detachAppender(seen);
        }
    }
}
