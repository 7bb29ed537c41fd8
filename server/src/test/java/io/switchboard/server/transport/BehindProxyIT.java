package io.switchboard.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.config.ProxyConfig;
import io.switchboard.server.node.Connection;
import io.switchboard.server.testing.LogCapture;
import io.switchboard.server.testing.RawWebSocket;
import io.switchboard.server.testing.TestServer;
import io.switchboard.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node behind a real HAProxy, on free ports with a generated configuration: one frontend passes TCP
 * with a PROXY v2 header, one speaks HTTP and adds X-Forwarded-For. HAProxy connects to the node from
 * 127.0.0.2, the only trusted proxy; clients connect from other loopback addresses of their own, so
 * that each has an address of its own. Spoofing attempts come straight from untrusted addresses.
 */
class BehindProxyIT {

    private static final String PROXY_ADDRESS = "127.0.0.2";
    private static TestServer node;
    private static Process haproxy;
    private static int tcpPort;
    private static int httpPort;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        node = TestServer.start(TestServer.config().limits(TestServer.LIMITS.withMaxConnectionsPerIp(1))
                .proxies(ProxyConfig.DEFAULT.withTrusted(ProxyConfig.parseTrusted(List.of(PROXY_ADDRESS)))));
        tcpPort = freePort();
        httpPort = freePort();
        String cfg = """
                global
                    maxconn 200
                defaults
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                    timeout tunnel 1h
                frontend websocket_tcp
                    mode tcp
                    bind 127.0.0.1:%1$d
                    default_backend nodes_tcp
                backend nodes_tcp
                    mode tcp
                    server node1 127.0.0.1:%3$d send-proxy-v2 source %4$s
                frontend websocket_http
                    mode http
                    bind 127.0.0.1:%2$d
                    option forwardfor
                    default_backend nodes_http
                backend nodes_http
                    mode http
                    server node1 127.0.0.1:%3$d source %4$s
                """.formatted(tcpPort, httpPort, node.port(), PROXY_ADDRESS);
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        haproxy = new ProcessBuilder(Tools.path("haproxy"), "-db", "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            if (!haproxy.isAlive()) {
                throw new IllegalStateException("haproxy exited: " + Files.readString(dir.resolve("haproxy.log")));
            }
            return accepts(tcpPort) && accepts(httpPort);
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor();
        }
        if (node != null) {
            node.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A socket from {@code from} to {@code port}. */
    private static Socket from(String from, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    /** An upgrade from {@code from} through {@code port} for {@code user}, with extra headers. */
    private static RawWebSocket open(String from, int port, String user, Map<String, String> headers, byte[] prefix) throws IOException {
        Map<String, String> h = new java.util.HashMap<>(headers);
        h.put("Authorization", "Bearer " + node.token(user));
        return RawWebSocket.request(from(from, port), prefix, RawWebSocket.upgradeRequest(port, h));
    }

    /** The address the node judged {@code user}'s one connection by, once it is open. */
    private static String addressOf(String user) {
        AtomicReference<String> found = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            node.server.node().connections().forEach(c -> {
                if (c.userId().equals(user)) {
                    found.set(c.clientAddress());
                }
            });
            return found.get() != null;
        });
        return found.get();
    }

    private static double refused(String reason) {
        return node.server.metrics().registry().find("switchboard.proxy.refused").tag("reason", reason).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    @Test
    void proxyV2AndForwardedForNameTheClientAndTheLimitsCountIt() throws Exception {
        List<RawWebSocket> open = new ArrayList<>();
        try {
            RawWebSocket pp = open("127.0.0.5", tcpPort, "pp-user", Map.of(), new byte[0]);
            open.add(pp);
            assertThat(pp.handshake.status()).isEqualTo(101);
            assertThat(pp.next().text()).contains("welcome");
            assertThat(addressOf("pp-user")).isEqualTo("127.0.0.5");

            RawWebSocket xff = open("127.0.0.6", httpPort, "xff-user", Map.of(), new byte[0]);
            open.add(xff);
            assertThat(xff.handshake.status()).isEqualTo(101);
            assertThat(addressOf("xff-user")).isEqualTo("127.0.0.6");

            // A client behind HAProxy that forges X-Forwarded-For: HAProxy appends the real address, which wins.
            RawWebSocket forged = open("127.0.0.7", httpPort, "forger", Map.of("X-Forwarded-For", "203.0.113.9"), new byte[0]);
            open.add(forged);
            assertThat(forged.handshake.status()).isEqualTo(101);
            assertThat(addressOf("forger")).isEqualTo("127.0.0.7");

            // One connection per address: a second one from 127.0.0.5 is refused, through either frontend,
            // while every client above got in although all came through the one balancer.
            for (int port : List.of(tcpPort, httpPort)) {
                try (RawWebSocket again = open("127.0.0.5", port, "pp-again", Map.of(), new byte[0])) {
                    assertThat(again.handshake.status()).isEqualTo(101);
                    assertThat(again.next().text()).contains("limit_exceeded").contains("address");
                    assertThat(again.next().closeCode()).isEqualTo(4006);
                }
            }
        } finally {
            for (RawWebSocket w : open) {
                w.close();
            }
        }
    }

    @Test
    void anUntrustedPeerIsJudgedByItsOwnAddressWhateverItClaims() throws Exception {
        // Straight to the node with a forged header: the node reads no header from 127.0.0.8.
        try (RawWebSocket direct = open("127.0.0.8", node.port(), "direct-forger", Map.of("X-Forwarded-For", "127.0.0.2, 203.0.113.9"), new byte[0])) {
            assertThat(direct.handshake.status()).isEqualTo(101);
            assertThat(addressOf("direct-forger")).isEqualTo("127.0.0.8");
        }
        // A PROXY header from an untrusted peer: closed without an answer, counted.
        double before = refused("untrusted");
        byte[] header = "PROXY TCP4 203.0.113.9 127.0.0.1 5555 80\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Socket s = from("127.0.0.9", node.port())) {
            s.getOutputStream().write(header);
            s.getOutputStream().write(RawWebSocket.upgradeRequest(node.port(), Map.of("Authorization", "Bearer " + node.token("pp-spoof")))
                    .getBytes(StandardCharsets.ISO_8859_1));
            s.setSoTimeout(5000);
            assertThat(readAll(s.getInputStream())).as("no HTTP answer").isEmpty();
        }
        assertThat(refused("untrusted")).isEqualTo(before + 1);
    }

    @Test
    void aMalformedHeaderFromTheTrustedProxyClosesWithoutAStackTrace() throws Exception {
        try (LogCapture logs = new LogCapture(ProxyProtocolGate.class)) {
            double before = refused("malformed");
            try (Socket s = from(PROXY_ADDRESS, node.port())) { // the test itself plays the trusted proxy
                s.getOutputStream().write("PROXY TCP4 999.1.1.1 127.0.0.1 5555 80\r\nGET /healthz HTTP/1.1\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                s.setSoTimeout(5000);
                assertThat(readAll(s.getInputStream())).isEmpty();
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> refused("malformed") == before + 1);
            assertThat(logs.problems()).isEmpty();
            // And a well-formed v1 header from it names the client.
            try (RawWebSocket ok = open(PROXY_ADDRESS, node.port(), "v1-user", Map.of(),
                    "PROXY TCP4 198.51.100.4 127.0.0.1 5555 80\r\n".getBytes(StandardCharsets.US_ASCII))) {
                assertThat(ok.handshake.status()).isEqualTo(101);
                assertThat(addressOf("v1-user")).isEqualTo("198.51.100.4");
            }
        }
    }

    /**
     * Everything the node sent before it closed. A close while the request was still unread in the node's
     * socket is a reset rather than an end of stream: either way the connection ended with what was read.
     */
    private static String readAll(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                got.write(buf, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // the node closed with bytes unread: a reset, not an answer
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }
}
