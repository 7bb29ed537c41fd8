package io.switchboard.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.auth.TokenMinter;
import io.switchboard.server.testing.RawWebSocket;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HandshakeIT {

    static TestServer node;
    static TestServer anonymousNode;

    @BeforeAll
    static void start() throws Exception {
        node = TestServer.start(TestServer.config().handshakeTimeout(Duration.ofMillis(500)));
        anonymousNode = TestServer.start(TestServer.config().allowAnonymous(true));
    }

    @AfterAll
    static void stop() {
        node.close();
        anonymousNode.close();
    }

    @Test
    void validTokenGetsWelcomeWithUserAndHeartbeat() throws Exception {
        try (WsClient c = WsClient.to(node.port()).token(node.token("alice")).connect()) {
            Envelope w = c.awaitType(MessageType.WELCOME);
            assertThat(w.payloadText())
                    .contains("\"userId\":\"alice\"")
                    .contains("\"sessionId\":\"")
                    .contains("\"intervalMs\":25000", "\"timeoutMs\":10000")
                    .contains("\"maxFrameBytes\":65536");
            assertThat(c.subprotocol()).isEqualTo("switchboard.v1.json");
        }
    }

    @Test
    void tokenInQueryParameterIsAccepted() throws Exception {
        try (WsClient c = WsClient.to(node.port()).query("access_token=" + node.token("bob")).connect()) {
            assertThat(c.awaitType(MessageType.WELCOME).payloadText()).contains("\"userId\":\"bob\"");
        }
    }

    @Test
    void missingTokenIsRefusedReadably() throws Exception {
        try (WsClient c = WsClient.to(node.port()).connect()) {
            Envelope e = c.awaitType(MessageType.ERROR);
            assertThat(e.code()).isEqualTo("unauthorized");
            assertThat(e.id()).isNull();
            assertThat(c.awaitClose()).isEqualTo(4500);
        }
    }

    @Test
    void expiredTokenIsRefusedWithRetryableCode() throws Exception {
        String expired = node.token("carol", Duration.ofHours(-1));
        try (WsClient c = WsClient.to(node.port()).token(expired).connect()) {
            Envelope e = c.awaitType(MessageType.ERROR);
            assertThat(e.code()).isEqualTo("token_expired");
            assertThat(e.retryable()).isTrue();
            assertThat(c.awaitClose()).isEqualTo(4004);
        }
    }

    @Test
    void wrongSignatureIsRefused() throws Exception {
        String forged = new TokenMinter("another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8))
                .mint("mallory", Duration.ofHours(1));
        try (WsClient c = WsClient.to(node.port()).token(forged).connect()) {
            assertThat(c.awaitType(MessageType.ERROR).code()).isEqualTo("unauthorized");
            assertThat(c.awaitClose()).isEqualTo(4500);
        }
    }

    @Test
    void overlongUserIdIsRefused() throws Exception {
        try (WsClient c = WsClient.to(node.port()).token(node.token("u".repeat(256))).connect()) {
            assertThat(c.awaitType(MessageType.ERROR).message()).contains("255");
            assertThat(c.awaitClose()).isEqualTo(4500);
        }
        try (WsClient c = WsClient.to(node.port()).token(node.token("u".repeat(255))).connect()) {
            assertThat(c.awaitType(MessageType.WELCOME)).isNotNull();
        }
        // Bytes count, not characters: 100 three-byte characters are 300 bytes.
        try (WsClient c = WsClient.to(node.port()).token(node.token("\u4e2d".repeat(100))).connect()) {
            assertThat(c.awaitType(MessageType.ERROR).message()).contains("bytes");
        }
        try (WsClient c = WsClient.to(node.port()).token(node.token("tab\there")).connect()) {
            assertThat(c.awaitType(MessageType.ERROR).message()).contains("control character");
        }
    }

    @Test
    void garbageTokenIsRefused() throws Exception {
        try (WsClient c = WsClient.to(node.port()).token("not.a.jwt").connect()) {
            assertThat(c.awaitType(MessageType.ERROR).code()).isEqualTo("unauthorized");
            assertThat(c.awaitClose()).isEqualTo(4500);
        }
    }

    @Test
    void anonymousAllowedWhenConfigured() throws Exception {
        try (WsClient c = WsClient.to(anonymousNode.port()).connect()) {
            assertThat(c.awaitType(MessageType.WELCOME).payloadText()).contains("\"userId\":\"\"");
            assertThat(c.subscribe("chat:lobby").type()).isEqualTo(MessageType.ACK);
            Envelope denied = c.publish("chat:lobby", "\"hi\"");
            assertThat(denied.code()).isEqualTo("forbidden");
            assertThat(denied.message()).contains("anonymous");
        }
    }

    @Test
    void anonymousNodeStillRejectsBadTokens() throws Exception {
        try (WsClient c = WsClient.to(anonymousNode.port()).token("not.a.jwt").connect()) {
            assertThat(c.awaitType(MessageType.ERROR).code()).isEqualTo("unauthorized");
            assertThat(c.awaitClose()).isEqualTo(4500);
        }
    }

    @Test
    void noSubprotocolOfferedMeansV1() throws Exception {
        try (WsClient c = WsClient.to(node.port()).subprotocols(null).token(node.token("dave")).connect()) {
            assertThat(c.awaitType(MessageType.WELCOME)).isNotNull();
            assertThat(c.subprotocol()).isNull();
            assertThat(c.subscribe("a").type()).isEqualTo(MessageType.ACK);
        }
    }

    @Test
    void ourSubprotocolIsChosenAmongOthers() throws Exception {
        try (WsClient c = WsClient.to(node.port()).subprotocols("switchboard.v2.json,switchboard.v1.json")
                .token(node.token("erin")).connect()) {
            assertThat(c.awaitType(MessageType.WELCOME)).isNotNull();
            assertThat(c.subprotocol()).isEqualTo("switchboard.v1.json");
        }
    }

    @Test
    void onlyUnknownVersionsOfferedGetsReadableRefusal() throws Exception {
        try (WsClient c = WsClient.to(node.port()).subprotocols("switchboard.v9.json").token(node.token("frank")).connect()) {
            Envelope e = c.awaitType(MessageType.ERROR);
            assertThat(e.code()).isEqualTo("unsupported_version");
            assertThat(c.awaitClose()).isEqualTo(4502);
        }
    }

    @Test
    void plainGetOnWsIsBadRequest() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/ws")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"code\":\"bad_request\"");
    }

    @Test
    void silentConnectionIsClosedAfterHandshakeTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", node.port())) {
            s.setSoTimeout(5000);
            long start = System.nanoTime();
            InputStream in = s.getInputStream();
            assertThat(in.read()).isEqualTo(-1); // closed by the server, nothing sent
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(ms).isBetween(300L, 4000L);
        }
    }

    @Test
    void eachRequestOnAKeptAliveConnectionRestartsTheDeadline() throws Exception {
        try (Socket s = new Socket("127.0.0.1", node.port())) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            long start = System.nanoTime();
            // Five requests 150 ms apart: the last comes after the first one's deadline (500 ms), and is answered.
            for (int i = 0; i < 5; i++) {
                if (i > 0) {
                    Thread.sleep(150);
                }
                s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readResponseHead(in)).as("request %d", i).startsWith("HTTP/1.1 200");
            }
            long lastAt = System.nanoTime();
            assertThat((lastAt - start) / 1_000_000).isGreaterThan(500);
            assertThat(in.read()).isEqualTo(-1); // then closed: nothing more came within the deadline
            assertThat((System.nanoTime() - lastAt) / 1_000_000).isBetween(300L, 4000L);
        }
    }

    /** Reads one HTTP response (head and its Content-Length body); returns the head. */
    private static String readResponseHead(InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return head + "<closed>";
            }
            head.append((char) b);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        in.readNBytes(length);
        return head.toString();
    }

    @Test
    void healthAndReadiness() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(h.statusCode()).isEqualTo(200);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\":\"ready\"");
    }

    @Test
    void demoTokenIsMintedOnLoopbackAndWorks() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.port() + "/demo/token?user=zoe")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String token = r.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        try (WsClient c = WsClient.to(node.port()).token(token).connect()) {
            assertThat(c.awaitType(MessageType.WELCOME).payloadText()).contains("\"userId\":\"zoe\"");
        }
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.port() + "/demo/token?user=%3Cscript%3E")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
    }

    @Test
    void demoPageAndBrowserClientAreServedWithModuleFriendlyTypes() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String[] pathAndType : new String[][] {{"/", "text/html"}, {"/switchboard.js", "text/javascript"},
                {"/demo.js", "text/javascript"}, {"/demo.css", "text/css"}}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + pathAndType[0])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(pathAndType[0]).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElse("")).as(pathAndType[0]).startsWith(pathAndType[1]);
        }
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/../pom.xml")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/healthz"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void demoTokensOffWhenDisabled() throws Exception {
        try (TestServer off = TestServer.start(TestServer.config().demoTokens(io.switchboard.server.config.ServerConfig.DemoTokens.OFF))) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + off.port() + "/demo/token?user=zoe")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("forbidden");
        }
    }

    @Test
    void publicBindDoesNotHandOutDemoTokensByDefault() {
        assertThat(TestServer.config().bind("0.0.0.0").demoTokensEnabled()).isFalse();
        assertThat(TestServer.config().bind("127.0.0.1").demoTokensEnabled()).isTrue();
        assertThat(TestServer.config().bind("0.0.0.0").demoTokens(io.switchboard.server.config.ServerConfig.DemoTokens.ON)
                .demoTokensEnabled()).isTrue();
    }

    // ---- RFC 6455 admission: version 13 only, and a well-formed request ------------------------------

    private static RawWebSocket.Response upgradeWith(java.util.Map<String, String> changes) throws Exception {
        try (RawWebSocket ws = RawWebSocket.request(node.port(), RawWebSocket.upgradeRequest(node.port(), changes))) {
            return ws.handshake;
        }
    }

    @Test
    void everyVersionButThirteenGets426NamingThirteen() throws Exception {
        java.util.Map<String, String> missing = new java.util.HashMap<>();
        missing.put("Sec-WebSocket-Version", null);
        java.util.List<java.util.Map<String, String>> variants = new java.util.ArrayList<>();
        for (String v : new String[] {"7", "8", "0", "12", "14", "13, 8", "abc"}) {
            variants.add(java.util.Map.of("Sec-WebSocket-Version", v));
        }
        variants.add(missing);
        for (java.util.Map<String, String> v : variants) {
            RawWebSocket.Response r = upgradeWith(v);
            assertThat(r.status()).as("%s", v).isEqualTo(426);
            assertThat(r.headers()).as("%s", v).containsEntry("sec-websocket-version", "13");
            assertThat(r.body().toLowerCase(java.util.Locale.ROOT)).as("%s", v).doesNotContain("netty");
        }
    }

    @Test
    void aHixieHandshakeGets426AndNoSession() throws Exception {
        String hixie76 = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + node.port() + "\r\nConnection: Upgrade\r\n"
                + "Upgrade: WebSocket\r\nOrigin: http://127.0.0.1:" + node.port() + "\r\n"
                + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n^n:ds[4U";
        String hixie75 = "GET /ws HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nHost: 127.0.0.1:" + node.port()
                + "\r\nOrigin: http://127.0.0.1:" + node.port() + "\r\n\r\n";
        for (String request : new String[] {hixie76, hixie75}) {
            try (RawWebSocket ws = RawWebSocket.request(node.port(), request)) {
                assertThat(ws.handshake.status()).isEqualTo(426);
                assertThat(ws.handshake.headers()).containsEntry("sec-websocket-version", "13");
                assertThat(ws.serverClosesSocket()).isTrue();
            }
        }
    }

    @Test
    void malformedUpgradesGet400WithoutNamingTheLibrary() throws Exception {
        java.util.Map<String, java.util.Map<String, String>> cases = new java.util.LinkedHashMap<>();
        java.util.Map<String, String> noKey = new java.util.HashMap<>();
        noKey.put("Sec-WebSocket-Key", null);
        cases.put("no key", noKey);
        cases.put("short key", java.util.Map.of("Sec-WebSocket-Key", "abc"));
        cases.put("15-byte key", java.util.Map.of("Sec-WebSocket-Key", java.util.Base64.getEncoder().encodeToString(new byte[15])));
        cases.put("17-byte key", java.util.Map.of("Sec-WebSocket-Key", java.util.Base64.getEncoder().encodeToString(new byte[17])));
        cases.put("not base64", java.util.Map.of("Sec-WebSocket-Key", "!!!!!!!!!!!!!!!!!!!!!!=="));
        java.util.Map<String, String> noHost = new java.util.HashMap<>();
        noHost.put("Host", null);
        cases.put("no Host", noHost);
        cases.put("HTTP/1.0", java.util.Map.of("request-line", "GET /ws HTTP/1.0"));
        cases.put("POST", java.util.Map.of("request-line", "POST /ws HTTP/1.1"));
        cases.put("no Connection: Upgrade", java.util.Map.of("Connection", "keep-alive"));
        for (var c : cases.entrySet()) {
            RawWebSocket.Response r = upgradeWith(c.getValue());
            assertThat(r.status()).as(c.getKey()).isEqualTo(400);
            assertThat(r.body()).as(c.getKey()).contains("\"code\":\"bad_request\"");
            assertThat(r.body().toLowerCase(java.util.Locale.ROOT)).as(c.getKey()).doesNotContain("netty");
        }
        // Header values are token lists and case-insensitive: this one is well-formed.
        try (RawWebSocket ws = RawWebSocket.request(node.port(), RawWebSocket.upgradeRequest(node.port(),
                java.util.Map.of("Connection", "keep-alive, Upgrade", "Upgrade", "WebSocket")))) {
            assertThat(ws.handshake.status()).isEqualTo(101);
            assertThat(ws.handshake.headers()).containsEntry("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        }
    }
}
