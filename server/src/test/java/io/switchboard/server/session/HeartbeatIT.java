package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.MessageType;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HeartbeatIT {

    static TestServer node;

    @BeforeAll
    static void start() throws Exception {
        node = TestServer.start(TestServer.config()
                .heartbeatInterval(Duration.ofMillis(250)).heartbeatTimeout(Duration.ofMillis(1000)));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void clientThatNeverPongsIsClosedWith4000() throws Exception {
        WsClient c = WsClient.to(node.port()).token(node.token("mute")).connect();
        c.autoPong = false;
        c.awaitType(MessageType.WELCOME);
        c.awaitType(MessageType.PING);
        assertThat(c.awaitClose()).isEqualTo(4000);
        c.close();
    }

    @Test
    void clientThatPongsStaysAndKeepsGettingPings() throws Exception {
        try (WsClient c = node.client("chatty")) {
            for (int i = 0; i < 8; i++) {
                c.awaitType(MessageType.PING); // ~2 s: two timeouts' worth
            }
            assertThat(c.isOpen()).isTrue();
            assertThat(c.closeCode).isNotDone();
            assertThat(c.call("ping", null, null).type()).isEqualTo(MessageType.PONG);
        }
    }

    @Test
    void welcomeAnnouncesTheConfiguredHeartbeat() throws Exception {
        try (WsClient c = WsClient.to(node.port()).token(node.token("x")).connect()) {
            assertThat(c.awaitType(MessageType.WELCOME).payloadText()).contains("\"intervalMs\":250", "\"timeoutMs\":1000");
        }
    }

    @Test
    void protocolLevelPingIsAnswered() throws Exception {
        try (WsClient c = node.client("pinger")) {
            c.sendPing("hello");
            String pong = null;
            long deadline = System.currentTimeMillis() + 5000;
            while (pong == null && System.currentTimeMillis() < deadline) {
                String f = c.rawFrames.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (f != null && f.startsWith("<pong")) {
                    pong = f;
                }
            }
            assertThat(pong).isEqualTo("<pong hello>");
        }
    }
}
