package io.switchboard.server.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.Access;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A channel filled past its namespace's threshold: coalesced diffs while it is small, counts only once it is
 * large, and the full list on demand, paged with a cursor that is checked; the server API pages the same.
 */
class PresenceScaleIT {

    static final String KEY = "presence-scale-api-key-0123456789";
    static TestServer node;

    @BeforeAll
    static void start() throws Exception {
        Namespaces ns = Namespaces.builder()
                .put(NamespaceConfig.plain("big").withPresence(true, true).withPresenceWindow(Duration.ofMillis(100), 6))
                .put(NamespaceConfig.plain("closed").withPresence(true, true)
                        .withAccess(Access.AUTHENTICATED, Access.AUTHENTICATED, Access.AUTHENTICATED, Access.CLAIM))
                .build();
        node = TestServer.start(TestServer.config().namespaces(ns).apiKeys(List.of(KEY)));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static final Pattern CURSOR = Pattern.compile("\"cursor\":\"([^\"]+)\"");
    private static final Pattern CLIENT = Pattern.compile("\"clientId\":\"([^\"]+)\"");

    @Test
    void aChannelPastItsThresholdSwitchesFromDiffsToCountsAndListsItsMembersPageByPage() throws Exception {
        List<WsClient> members = new ArrayList<>();
        try (WsClient watcher = node.client("watcher")) {
            watcher.subscribe("big:hall");
            watcher.await(e -> e.type() == MessageType.PRESENCE_DIFF && e.payloadText().contains("\"watcher\""), Duration.ofSeconds(5));
            // Small: the first members come as users in diffs.
            for (int i = 0; i < 3; i++) {
                WsClient m = node.client("m" + i);
                m.subscribe("big:hall");
                members.add(m);
            }
            Set<String> seen = new HashSet<>();
            while (seen.size() < 3) {
                Envelope d = watcher.awaitType(MessageType.PRESENCE_DIFF);
                assertThat(d.payloadText()).contains("\"leaves\":[]");
                for (int i = 0; i < 3; i++) {
                    if (d.payloadText().contains("\"m" + i + "\"")) {
                        seen.add("m" + i);
                    }
                }
            }
            // Past the threshold of 6 users: counts only, and the last one is exact.
            for (int i = 3; i < 10; i++) {
                WsClient m = node.client("m" + i);
                m.subscribe("big:hall");
                members.add(m);
            }
            Envelope count = watcher.await(e -> e.type() == MessageType.PRESENCE_COUNT && e.payloadText().equals("{\"users\":11}"),
                    Duration.ofSeconds(5));
            assertThat(count.channel()).isEqualTo("big:hall");
            long diffsAfter = watcher.received.stream().filter(e -> e.type() == MessageType.PRESENCE_DIFF
                    && e.payloadText().contains("\"m9\"")).count();
            assertThat(diffsAfter).as("no diff names a member who joined the large channel").isZero();
            long pushes = watcher.received.stream().filter(e -> e.type() == MessageType.PRESENCE_DIFF
                    || e.type() == MessageType.PRESENCE_COUNT).count();
            assertThat(pushes).as("joins are coalesced: fewer pushes than the 11 joins").isLessThan(11);

            // The full list, four connections a page: every one exactly once, in the order of their ids.
            List<String> listed = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                String extra = "\"limit\":4" + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"");
                Envelope page = members.get(1).call("presence", "big:hall", extra);
                assertThat(page.type()).isEqualTo(MessageType.ACK);
                assertThat(page.payloadText()).contains("\"users\":11", "\"connections\":11");
                Matcher c = CLIENT.matcher(page.payloadText());
                while (c.find()) {
                    listed.add(c.group(1));
                }
                Matcher m = CURSOR.matcher(page.payloadText());
                cursor = m.find() ? m.group(1) : null;
                pages++;
            } while (cursor != null);
            assertThat(pages).isEqualTo(3);
            assertThat(listed).hasSize(11).doesNotHaveDuplicates().isSorted();

            // A member leaving: the count follows.
            members.remove(9).close();
            watcher.await(e -> e.type() == MessageType.PRESENCE_COUNT && e.payloadText().equals("{\"users\":10}"), Duration.ofSeconds(5));
        } finally {
            members.forEach(WsClient::close);
        }
    }

    @Test
    void aCursorOfAnotherChannelOrAMadeUpOneIsRefusedAndTheLimitIsBounded() throws Exception {
        try (WsClient a = node.client("cur-a"); WsClient b = node.client("cur-b")) {
            a.subscribe("big:one");
            b.subscribe("big:one");
            b.subscribe("big:two");
            Envelope first = a.call("presence", "big:one", "\"limit\":1");
            Matcher m = CURSOR.matcher(first.payloadText());
            assertThat(m.find()).isTrue();
            String cursor = m.group(1);
            Envelope other = a.call("presence", "big:two", "\"limit\":1,\"cursor\":\"" + cursor + "\"");
            assertThat(other.code()).isEqualTo("bad_request");
            assertThat(other.message()).contains("cursor");
            for (String forged : List.of("x", "....", "Y3VyLWI.00000000", "%%%.1", "a".repeat(300))) {
                assertThat(a.call("presence", "big:one", "\"cursor\":\"" + forged + "\"").code()).as(forged).isEqualTo("bad_request");
            }
            assertThat(a.call("presence", "big:one", "\"limit\":-1").code()).isEqualTo("bad_request");
            Envelope huge = a.call("presence", "big:one", "\"limit\":2147483647");
            assertThat(huge.payloadText()).contains("\"users\":2").doesNotContain("cursor");
            Envelope none = a.call("presence", "big:one", "\"limit\":0");
            assertThat(none.payloadText()).as("limit 0: the counts alone").isEqualTo("{\"clients\":[],\"users\":2,\"connections\":2}");
            // The same cursor still works after the list changed: it is a position, not a snapshot.
            b.call("unsubscribe", "big:one", null);
            Envelope after = a.call("presence", "big:one", "\"limit\":1,\"cursor\":\"" + cursor + "\"");
            assertThat(after.type()).isEqualTo(MessageType.ACK);
        }
    }

    @Test
    void presenceOfAChannelTheClientMayNotReadIsForbiddenWhateverTheCursor() throws Exception {
        try (WsClient outsider = node.client("outsider")) {
            Envelope e = outsider.call("presence", "closed:x", "\"limit\":5,\"cursor\":\"junk\"");
            assertThat(e.code()).isEqualTo("forbidden");
        }
    }

    @Test
    void theServerApiPagesPresenceTheSameWay() throws Exception {
        List<WsClient> members = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                WsClient m = node.client("api" + i, Map.of());
                m.subscribe("big:api");
                members.add(m);
            }
            HttpClient http = HttpClient.newHttpClient();
            List<String> listed = new ArrayList<>();
            String cursor = null;
            do {
                String q = "channel=big:api&limit=2" + (cursor == null ? "" : "&cursor=" + cursor);
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/api/presence?" + q))
                        .header("X-Api-Key", KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("\"channel\":\"big:api\"", "\"users\":5");
                Matcher c = CLIENT.matcher(r.body());
                while (c.find()) {
                    listed.add(c.group(1));
                }
                Matcher m = CURSOR.matcher(r.body());
                cursor = m.find() ? m.group(1) : null;
            } while (cursor != null);
            assertThat(listed).hasSize(5).doesNotHaveDuplicates();
            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
                    + "/api/presence?channel=big:api&cursor=forged")).header("X-Api-Key", KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("bad_request", "cursor");
        } finally {
            members.forEach(WsClient::close);
        }
    }
}
