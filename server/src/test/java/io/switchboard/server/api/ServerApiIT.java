package io.switchboard.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every server-API endpoint against a real node: success, a missing and a wrong key, bad input, and the
 * effect a real WebSocket client sees.
 */
class ServerApiIT {

    static final String KEY = "api-key-for-tests-0123456789";
    static final String OTHER_KEY = "second-api-key-for-tests-99";
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer node;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        node = TestServer.start(TestServer.config().apiKeys(List.of(KEY, OTHER_KEY)));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    record Res(int status, JsonNode body, HttpResponse<String> raw) {
    }

    static Res call(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("X-API-Key", key);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode parsed = r.body().isEmpty() ? null : JSON.readTree(r.body());
        return new Res(r.statusCode(), parsed, r);
    }

    static Res post(String path, String body) throws Exception {
        return call("POST", path, body, KEY);
    }

    static Res get(String path) throws Exception {
        return call("GET", path, null, KEY);
    }

    /** A missing key and a wrong key are both 401 with a JSON error, and change nothing. */
    static void assertKeyRequired(String method, String path, String body) throws Exception {
        Res missing = call(method, path, body, null);
        assertThat(missing.status()).as(path + " without key").isEqualTo(401);
        assertThat(missing.body().path("code").asText()).isEqualTo("unauthorized");
        assertThat(missing.raw().headers().firstValue("content-type")).hasValue("application/json");
        Res wrong = call(method, path, body, KEY + "x");
        assertThat(wrong.status()).as(path + " with a wrong key").isEqualTo(401);
        assertThat(wrong.body().path("message").asText()).contains("wrong API key");
    }

    @Test
    void publishReachesASubscriberOnce() throws Exception {
        try (WsClient c = node.client("sub1")) {
            c.subscribe("chat:api-one");
            assertKeyRequired("POST", "/api/publish", "{\"channel\":\"chat:api-one\",\"payload\":{\"bad\":\"key\"}}");
            Res r = post("/api/publish", "{\"channel\":\"chat:api-one\",\"payload\":{\"text\":\"from backend\",\"price\":1.10}}");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().path("offset").asLong()).isEqualTo(1);
            assertThat(r.body().path("epoch").asText()).isNotEmpty();
            Envelope m = c.awaitType(MessageType.MESSAGE);
            assertThat(m.channel()).isEqualTo("chat:api-one");
            // The payload arrives as sent (decimals keep their digits); the bad-key publishes never arrived.
            assertThat(m.payloadText()).isEqualTo("{\"text\":\"from backend\",\"price\":1.10}");
            assertThat(m.offset()).isEqualTo(1);
            assertThat(c.messages(1, Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void publishAcceptsEitherKeyAndBothHeaderForms() throws Exception {
        assertThat(call("POST", "/api/publish", "{\"channel\":\"news\",\"payload\":1}", OTHER_KEY).status()).isEqualTo(200);
        HttpResponse<String> bearer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/api/publish"))
                .header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"news\",\"payload\":2}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bearer.statusCode()).isEqualTo(200);
    }

    @Test
    void publishRejectsBadInputWithDocumentedCodes() throws Exception {
        Map<String, String[]> cases = Map.of(
                "not json", new String[] {"400", "bad_request"},
                "[1,2]", new String[] {"400", "bad_request"},
                "{\"channel\":\"chat:x\"}", new String[] {"400", "bad_request"},
                "{\"payload\":1}", new String[] {"400", "bad_request"},
                "{\"channel\":\"chat:x\",\"channels\":[\"chat:y\"],\"payload\":1}", new String[] {"400", "bad_request"},
                "{\"channel\":\"nope:x\",\"payload\":1}", new String[] {"404", "unknown_channel"},
                "{\"channel\":\"bad name\",\"payload\":1}", new String[] {"404", "unknown_channel"},
                "{\"channel\":\"chat:x\",\"payload\":\"" + "a".repeat(70_000) + "\"}", new String[] {"413", "too_large"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            Res r = post("/api/publish", c.getKey());
            assertThat(r.status()).as(c.getKey().substring(0, Math.min(40, c.getKey().length()))).isEqualTo(Integer.parseInt(c.getValue()[0]));
            assertThat(r.body().path("code").asText()).isEqualTo(c.getValue()[1]);
            assertThat(r.body().path("message").asText()).isNotBlank();
        }
        assertThat(call("GET", "/api/publish", null, KEY).status()).isEqualTo(405);
        assertThat(get("/api/nothing-here").status()).isEqualTo(404);
    }

    @Test
    void publishToManyChannelsWithAnIdempotencyKeyPublishesOnce() throws Exception {
        try (WsClient a = node.client("multi-a"); WsClient b = node.client("multi-b")) {
            a.subscribe("chat:multi-1");
            b.subscribe("chat:multi-2");
            String body = "{\"channels\":[\"chat:multi-1\",\"chat:multi-2\",\"nope:z\"],\"payload\":{\"n\":7},\"idempotencyKey\":\"order-7\"}";
            Res first = post("/api/publish", body);
            assertThat(first.status()).isEqualTo(200);
            JsonNode results = first.body().path("results");
            assertThat(results).hasSize(3);
            assertThat(results.get(0).path("offset").asLong()).isEqualTo(1);
            assertThat(results.get(1).path("offset").asLong()).isEqualTo(1);
            assertThat(results.get(2).path("error").path("code").asText()).isEqualTo("unknown_channel");
            // A retry is recognised: same offsets, nothing delivered twice.
            Res retry = post("/api/publish", body);
            assertThat(retry.body().path("results").get(0).path("offset").asLong()).isEqualTo(1);
            assertThat(a.messages(5, Duration.ofMillis(500))).hasSize(1);
            assertThat(b.messages(5, Duration.ofMillis(100))).hasSize(1);
        }
        assertKeyRequired("POST", "/api/publish", "{\"channels\":[\"chat:multi-1\"],\"payload\":1}");
        assertThat(post("/api/publish", "{\"channels\":[],\"payload\":1}").status()).isEqualTo(400);
    }

    @Test
    void batchPublishesInOrderAndReportsEachResult() throws Exception {
        try (WsClient c = node.client("batcher")) {
            c.subscribe("chat:batch");
            StringBuilder body = new StringBuilder("{\"publishes\":[");
            for (int i = 1; i <= 20; i++) {
                body.append(i > 1 ? "," : "").append("{\"channel\":\"chat:batch\",\"payload\":").append(i).append('}');
            }
            body.append(",{\"channel\":\"nope:x\",\"payload\":0}]}");
            assertKeyRequired("POST", "/api/batch", body.toString());
            Res r = post("/api/batch", body.toString());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().path("results")).hasSize(21);
            assertThat(r.body().path("results").get(20).path("error").path("code").asText()).isEqualTo("unknown_channel");
            List<Envelope> got = c.messages(20, Duration.ofSeconds(5));
            assertThat(got).extracting(Envelope::payloadText)
                    .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20");
        }
        // One malformed entry publishes nothing.
        try (WsClient c = node.client("batcher2")) {
            c.subscribe("chat:batch-bad");
            Res bad = post("/api/batch", "{\"publishes\":[{\"channel\":\"chat:batch-bad\",\"payload\":1},{\"channel\":\"chat:batch-bad\"}]}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.body().path("message").asText()).contains("publishes[1].payload");
            assertThat(c.messages(1, Duration.ofMillis(300))).isEmpty();
        }
        assertThat(post("/api/batch", "{\"publishes\":{}}").status()).isEqualTo(400);
    }

    @Test
    void presenceAndCountsShowConnectedUsers() throws Exception {
        try (WsClient a = node.client("pres-ann", Map.of("info", Map.of("name", "Ann")));
             WsClient a2 = node.client("pres-ann");
             WsClient b = node.client("pres-bob")) {
            a.subscribe("chat:pres");
            a2.subscribe("chat:pres");
            b.subscribe("chat:pres");
            assertKeyRequired("GET", "/api/presence?channel=chat:pres", null);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                    get("/api/presence/count?channel=chat:pres").body().path("clients").asInt() == 3);
            Res count = get("/api/presence/count?channel=chat:pres");
            assertThat(count.body().path("users").asInt()).isEqualTo(2);
            Res list = get("/api/presence?channel=chat:pres");
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.body().path("channel").asText()).isEqualTo("chat:pres");
            assertThat(list.body().path("clients")).hasSize(3);
            assertThat(list.body().path("clients").toString()).contains("\"userId\":\"pres-ann\"", "\"info\":{\"name\":\"Ann\"}", "pres-bob");
        }
        assertThat(get("/api/presence?channel=news").status()).isEqualTo(404); // the "" namespace keeps no presence
        assertThat(get("/api/presence?channel=news").body().path("code").asText()).isEqualTo("not_available");
        assertThat(get("/api/presence").status()).isEqualTo(400);
        assertThat(get("/api/presence/count?channel=nope:x").body().path("code").asText()).isEqualTo("unknown_channel");
    }

    @Test
    void historyReturnsWhatWasPublished() throws Exception {
        try (WsClient c = node.client("hist")) {
            for (int i = 1; i <= 5; i++) {
                assertThat(c.publish("chat:hist", "{\"i\":" + i + "}").type()).isEqualTo(MessageType.ACK);
            }
        }
        assertKeyRequired("GET", "/api/history?channel=chat:hist", null);
        Res all = get("/api/history?channel=chat:hist");
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.body().path("offset").asLong()).isEqualTo(5);
        assertThat(all.body().path("publications")).hasSize(5);
        assertThat(all.body().path("publications").get(0).path("from").asText()).isEqualTo("hist");
        String epoch = all.body().path("epoch").asText();
        Res since = get("/api/history?channel=chat:hist&since=3&epoch=" + epoch);
        assertThat(since.body().path("publications")).extracting(p -> p.path("offset").asLong()).containsExactly(4L, 5L);
        Res newest = get("/api/history?channel=chat:hist&limit=2&reverse=true");
        assertThat(newest.body().path("publications")).extracting(p -> p.path("payload").toString())
                .containsExactly("{\"i\":5}", "{\"i\":4}");
        Res otherEpoch = get("/api/history?channel=chat:hist&since=3&epoch=not-it");
        assertThat(otherEpoch.status()).isEqualTo(410);
        assertThat(otherEpoch.body().path("code").asText()).isEqualTo("unrecoverable");
        assertThat(get("/api/history?channel=chat:hist&limit=abc").status()).isEqualTo(400);
        assertThat(get("/api/history?channel=chat:hist&limit=5000").status()).isEqualTo(400);
        assertThat(get("/api/history?channel=news").body().path("code").asText()).isEqualTo("not_available");
    }

    @Test
    void channelsListsLocalChannelsWithSubscriberCounts() throws Exception {
        try (WsClient a = node.client("ch-a"); WsClient b = node.client("ch-b")) {
            a.subscribe("chat:list-1");
            b.subscribe("chat:list-1");
            b.subscribe("chat:list-2");
            a.subscribe("news-list");
            assertKeyRequired("GET", "/api/channels", null);
            Res r = get("/api/channels?prefix=chat:list-");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().path("node").asText()).isEqualTo(node.server.nodeId());
            assertThat(r.body().path("channels").toString())
                    .isEqualTo("[{\"channel\":\"chat:list-1\",\"subscribers\":2},{\"channel\":\"chat:list-2\",\"subscribers\":1}]");
            assertThat(get("/api/channels").body().path("channels").toString()).contains("news-list");
        }
        // Nobody left: the channels are gone.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                get("/api/channels?prefix=chat:list-").body().path("channels").isEmpty());
        assertThat(call("POST", "/api/channels", "{}", KEY).status()).isEqualTo(405);
    }

    @Test
    void disconnectClosesEveryConnectionOfTheUserOnly() throws Exception {
        try (WsClient x1 = node.client("kick-me"); WsClient x2 = node.client("kick-me"); WsClient other = node.client("stay")) {
            assertKeyRequired("POST", "/api/disconnect", "{\"userId\":\"kick-me\"}");
            assertThat(x1.isOpen()).isTrue();
            Res r = post("/api/disconnect", "{\"userId\":\"kick-me\"}");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().path("code").asInt()).isEqualTo(4503);
            assertThat(x1.awaitClose()).isEqualTo(4503);
            assertThat(x2.awaitClose()).isEqualTo(4503);
            assertThat(other.call("ping", null, null).type()).isEqualTo(MessageType.PONG);
        }
        try (WsClient y = node.client("move-me")) {
            assertThat(post("/api/disconnect", "{\"userId\":\"move-me\",\"code\":4005}").status()).isEqualTo(200);
            assertThat(y.awaitClose()).isEqualTo(4005);
        }
        assertThat(post("/api/disconnect", "{\"userId\":\"x\",\"code\":1234}").status()).isEqualTo(400);
        assertThat(post("/api/disconnect", "{\"userId\":\"x\",\"code\":\"soon\"}").status()).isEqualTo(400);
        assertThat(post("/api/disconnect", "{}").body().path("code").asText()).isEqualTo("bad_request");
    }

    @Test
    void unsubscribeEndsTheUsersSubscriptionWithAPush() throws Exception {
        try (WsClient u = node.client("unsub-me"); WsClient other = node.client("unsub-other")) {
            u.subscribe("chat:unsub");
            u.subscribe("chat:unsub-keep");
            other.subscribe("chat:unsub");
            assertKeyRequired("POST", "/api/unsubscribe", "{\"userId\":\"unsub-me\",\"channel\":\"chat:unsub\"}");
            assertThat(post("/api/unsubscribe", "{\"userId\":\"unsub-me\",\"channel\":\"chat:unsub\"}").status()).isEqualTo(200);
            Envelope pushed = u.awaitType(MessageType.UNSUBSCRIBED);
            assertThat(pushed.channel()).isEqualTo("chat:unsub");
            assertThat(pushed.code()).isEqualTo("removed");
            // The user no longer gets the channel; the other channel and the other user are untouched.
            post("/api/publish", "{\"channel\":\"chat:unsub\",\"payload\":\"after\"}");
            post("/api/publish", "{\"channel\":\"chat:unsub-keep\",\"payload\":\"kept\"}");
            assertThat(other.awaitType(MessageType.MESSAGE).payloadText()).isEqualTo("\"after\"");
            Envelope next = u.awaitType(MessageType.MESSAGE);
            assertThat(next.channel()).isEqualTo("chat:unsub-keep");
        }
        assertThat(post("/api/unsubscribe", "{\"userId\":\"u\"}").status()).isEqualTo(400);
        assertThat(post("/api/unsubscribe", "{\"userId\":\"u\",\"channel\":\"nope:x\"}").status()).isEqualTo(404);
    }

    @Test
    void infoAndStatsDescribeTheNode() throws Exception {
        try (WsClient c = node.client("info-user")) {
            assertKeyRequired("GET", "/api/info", null);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                    get("/api/stats").body().path("connections").asInt() >= 1);
            Res info = get("/api/info");
            assertThat(info.status()).isEqualTo(200);
            assertThat(info.body().path("engine").asText()).isEqualTo("memory");
            assertThat(info.body().path("node").path("id").asText()).isEqualTo(node.server.nodeId());
            assertThat(info.body().path("nodes")).hasSize(1);
            assertThat(info.body().path("node").path("connections").asInt()).isGreaterThanOrEqualTo(1);
            assertKeyRequired("GET", "/api/stats", null);
        }
    }

    @Test
    void statsStreamSendsAnEventEachSecond() throws Exception {
        HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.port() + "/api/stats/stream")).header("X-API-Key", KEY).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        long start = System.nanoTime();
        List<String> events = r.body().filter(l -> l.startsWith("data: ")).limit(3).toList();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(events).hasSize(3).allSatisfy(e -> assertThat(JSON.readTree(e.substring(6)).has("connections")).isTrue());
        assertThat(seconds).as("three events, the first at once, then one a second").isBetween(1.0, 10.0);
        assertThat(call("GET", "/api/stats/stream", null, null).status()).isEqualTo(401);
    }

    @Test
    void keepAliveServesManyRequestsOnOneConnection() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.port())) {
            s.setSoTimeout(10_000);
            var out = s.getOutputStream();
            var in = new java.io.BufferedInputStream(s.getInputStream());
            for (int i = 0; i < 5; i++) {
                String body = "{\"channel\":\"news\",\"payload\":" + i + "}";
                out.write(("POST /api/publish HTTP/1.1\r\nHost: x\r\nX-API-Key: " + KEY + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                String head = readHead(in);
                assertThat(head).startsWith("HTTP/1.1 200 OK").doesNotContainIgnoringCase("connection: close");
                int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
                assertThat(in.readNBytes(length)).hasSize(length);
            }
        }
    }

    /** An unauthenticated client cannot make the node read a large body: it is refused from the head. */
    @Test
    void wrongKeyIsRefusedBeforeTheBodyIsRead() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 900000\r\n\r\n{")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String head = readHead(new java.io.BufferedInputStream(s.getInputStream()));
            assertThat(head).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
        }
    }

    @Test
    void apiIsOffWithoutKeys() throws Exception {
        try (TestServer plain = TestServer.start(TestServer.config())) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plain.port() + "/api/info"))
                    .header("X-API-Key", KEY).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("\"code\":\"forbidden\"", "--api-key");
        }
    }

    static String readHead(java.io.InputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            b.append((char) c);
            if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return b.toString();
    }
}
