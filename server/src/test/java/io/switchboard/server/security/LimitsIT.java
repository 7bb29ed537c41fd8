package io.switchboard.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Origins, connection limits, rate limits and user-limited channels: each hit once, others unaffected. */
class LimitsIT {

    @Test
    void originsAllowedAndRefused() throws Exception {
        try (TestServer local = TestServer.start(TestServer.config());
             TestServer listed = TestServer.start(TestServer.config().allowedOrigins(List.of("https://app.example.com", "https://*.corp.example")))) {
            // No list: loopback origins and the node's own origin are fine, others are refused readably.
            for (String ok : List.of("http://localhost:3000", "http://127.0.0.1:9", "http://127.0.0.1:" + local.port())) {
                try (WsClient c = WsClient.to(local.port()).header("Origin", ok).token(local.token("a")).connect()) {
                    assertThat(c.awaitType(MessageType.WELCOME)).as(ok).isNotNull();
                }
            }
            try (WsClient c = WsClient.to(local.port()).header("Origin", "http://127.evil.example").token(local.token("a")).connect()) {
                assertThat(c.awaitClose()).as("a host that merely starts with 127.").isEqualTo(4501);
            }
            try (WsClient c = WsClient.to(local.port()).header("Origin", "https://evil.example").token(local.token("a")).connect()) {
                Envelope e = c.awaitType(MessageType.ERROR);
                assertThat(e.code()).isEqualTo("forbidden");
                assertThat(e.message()).contains("evil.example");
                assertThat(c.awaitClose()).isEqualTo(4501);
            }
            // Without an Origin header (not a browser) the check does not apply.
            try (WsClient c = WsClient.to(local.port()).token(local.token("a")).connect()) {
                assertThat(c.awaitType(MessageType.WELCOME)).isNotNull();
            }
            for (String ok : List.of("https://app.example.com", "https://eu.corp.example", "https://APP.example.com")) {
                try (WsClient c = WsClient.to(listed.port()).header("Origin", ok).token(listed.token("a")).connect()) {
                    assertThat(c.awaitType(MessageType.WELCOME)).as(ok).isNotNull();
                }
            }
            for (String bad : List.of("http://app.example.com", "https://corp.example.evil", "http://localhost:3000", "null")) {
                try (WsClient c = WsClient.to(listed.port()).header("Origin", bad).token(listed.token("a")).connect()) {
                    assertThat(c.awaitClose()).as(bad).isEqualTo(4501);
                }
            }
        }
    }

    @Test
    void connectionsPerUserAndPerAddressAreBounded() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().limits(TestServer.LIMITS.withMaxConnectionsPerUser(2).withMaxConnectionsPerIp(4)))) {
            WsClient a1 = node.client("ann");
            WsClient a2 = node.client("ann");
            try (WsClient a3 = WsClient.to(node.port()).token(node.token("ann")).connect()) {
                Envelope e = a3.awaitType(MessageType.ERROR);
                assertThat(e.code()).isEqualTo("limit_exceeded");
                assertThat(a3.awaitClose()).isEqualTo(4006);
            }
            WsClient b1 = node.client("bob"); // another user is unaffected
            assertThat(b1.call("ping", null, null).type()).isEqualTo(MessageType.PONG);
            int open = node.server.sessionCount();
            a1.close();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> node.server.sessionCount() == open - 1);
            WsClient a4 = node.client("ann"); // a freed slot can be used again
            WsClient b2 = node.client("bob"); // 4 from this address now: a2, a4, b1, b2
            try (WsClient c = WsClient.to(node.port()).token(node.token("cid")).connect()) {
                assertThat(c.awaitType(MessageType.ERROR).message()).contains("address");
                assertThat(c.awaitClose()).isEqualTo(4006);
            }
            for (WsClient c : List.of(a2, a4, b1, b2)) {
                c.close();
            }
        }
    }

    @Test
    void malformedUpgradesAreRefusedReadablyAndHoldNoSlot() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().limits(TestServer.LIMITS.withMaxConnectionsPerIp(3)).allowAnonymous(true))) {
            String[] bad = {
                "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n",
                "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
                "POST /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n",
            };
            for (int round = 0; round < 2; round++) {
                for (String request : bad) {
                    try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.port())) {
                        s.setSoTimeout(5000);
                        s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                        assertThat(answer).as(request).startsWith("HTTP/1.1 400").contains("bad_request");
                    }
                }
            }
            // Six refused upgrades later, all three slots of this address are still free.
            List<WsClient> ok = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ok.add(node.client("u" + i));
            }
            ok.forEach(WsClient::close);
        }
    }

    @Test
    void newConnectionRatePerAddressAnswers429() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().limits(TestServer.LIMITS.withNewConnectionsPerSecondPerIp(1).withNewConnectionsBurstPerIp(3)))) {
            List<WsClient> ok = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ok.add(node.client("u" + i));
            }
            WsClient refused = WsClient.to(node.port()).token(node.token("u9")).connect();
            assertThat(refused.response().status().code()).isEqualTo(429);
            assertThat(refused.response().headers().get("Retry-After")).isEqualTo("1");
            refused.close();
            assertThat(ok.get(0).call("ping", null, null).type()).isEqualTo(MessageType.PONG); // open ones live on
            Thread.sleep(1200);
            ok.add(node.client("u10")); // the bucket refills
            ok.forEach(WsClient::close);
        }
    }

    @Test
    void commandRateIsLimitedPerConnection() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().limits(TestServer.LIMITS.withCommandsPerSecond(10).withCommandBurst(20).withErrorBurstLimit(30)));
             WsClient calm = node.client("calm");
             WsClient noisy = node.client("noisy")) {
            for (int i = 0; i < 30; i++) {
                noisy.command("ping", null, null);
            }
            List<Envelope> replies = new ArrayList<>();
            while (replies.size() < 30) {
                Envelope e = noisy.await(x -> x.type() == MessageType.PONG || x.type() == MessageType.ERROR, Duration.ofSeconds(5));
                replies.add(e);
            }
            long limited = replies.stream().filter(e -> "rate_limited".equals(e.code())).count();
            // The burst of 20 is honoured; some of the rest are refused (how many depends on how fast the
            // machine got through them, as tokens refill at 10 per second).
            assertThat(replies.stream().filter(e -> e.type() == MessageType.PONG).count()).isGreaterThanOrEqualTo(20);
            assertThat(limited).isBetween(1L, 10L);
            assertThat(replies.stream().filter(e -> "rate_limited".equals(e.code())).findFirst().orElseThrow().retryable()).isTrue();
            assertThat(calm.call("ping", null, null).type()).isEqualTo(MessageType.PONG);
            // Keeping on regardless closes the connection.
            for (int i = 0; i < 100; i++) {
                noisy.command("ping", null, null);
            }
            assertThat(noisy.awaitClose()).isEqualTo(4003);
            assertThat(calm.call("ping", null, null).type()).isEqualTo(MessageType.PONG);
        }
    }

    @Test
    void pipelinedHttpRequestsAreBoundedAndTheConnectionCloses() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config());
             java.net.Socket s = new java.net.Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", node.port()));
            // 2,000 pipelined requests (80 kB, which the kernel buffers) for 19 kB answers (38 MB, which it
            // cannot) from a client that does not read: the node must stop answering and hang up, rather than
            // queue answers in its own memory.
            String one = "GET /switchboard.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            s.getOutputStream().write(one.repeat(2000).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Thread.sleep(1000); // the node answers what the buffers take, then waits
            s.setSoTimeout(10_000);
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = s.getInputStream().read(buf)) >= 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // expected when the node closed on unread input
            }
            String text = got.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
            int answered = text.split("HTTP/1.1 200 OK", -1).length - 1;
            // What fits in the kernel's buffers, plus the one in hand and the bounded queue; never all.
            assertThat(answered).as("responses").isPositive().isLessThan(1000);
        }
        // A well-behaved keep-alive client gets every answer on one connection, in order.
        try (TestServer node = TestServer.start(TestServer.config());
             java.net.Socket s = new java.net.Socket("127.0.0.1", node.port())) {
            s.setSoTimeout(10_000);
            String two = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write(two.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String text = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(text.split("HTTP/1.1 200 OK", -1).length - 1).isEqualTo(2);
            assertThat(text.indexOf("\"status\":\"ok\"")).isPositive().isLessThan(text.indexOf("\"status\":\"ready\""));
        }
    }

    @Test
    void protocolPingsAreAlwaysAnsweredAndCostNoCommandTokens() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().limits(TestServer.LIMITS.withCommandsPerSecond(10).withCommandBurst(20)));
             WsClient c = node.client("pinger")) {
            for (int i = 0; i < 200; i++) {
                c.sendPing("p" + i);
            }
            // Pings that arrive together may share one pong (RFC 6455 5.5.3), but the last one is answered...
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> c.rawFrames.contains("<pong p199>"));
            // ...and none of them took a command token: the whole burst is still there for commands.
            for (int i = 0; i < 20; i++) {
                assertThat(c.call("ping", null, null).type()).as("command %d", i).isEqualTo(MessageType.PONG);
            }
            assertThat(c.isOpen()).isTrue();
        }
    }

    @Test
    void userLimitedChannelsAdmitOnlyTheirUsers() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config());
             WsClient alice = node.client("alice"); WsClient bob = node.client("bob"); WsClient carol = node.client("carol")) {
            assertThat(alice.subscribe("chat:#alice,bob").type()).isEqualTo(MessageType.ACK);
            assertThat(bob.subscribe("chat:#alice,bob").type()).isEqualTo(MessageType.ACK);
            Envelope no = carol.subscribe("chat:#alice,bob");
            assertThat(no.code()).isEqualTo("forbidden");
            assertThat(no.message()).contains("'#'");
            assertThat(carol.publish("chat:#alice,bob", "1").code()).isEqualTo("forbidden");
            assertThat(carol.call("history", "chat:#alice,bob", null).code()).isEqualTo("forbidden");
            assertThat(carol.call("presence", "chat:#alice,bob", null).code()).isEqualTo("forbidden");
            alice.publish("chat:#alice,bob", "\"hi bob\"");
            assertThat(bob.awaitType(MessageType.MESSAGE).payloadText()).isEqualTo("\"hi bob\"");
            assertThat(carol.subscribe("chat:#alicex").code()).isEqualTo("forbidden");
        }
    }
}
