package io.switchboard.server.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.Access;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Presence, join/leave pushes, and per-namespace permissions and echo. */
class PresenceIT {

    static TestServer node;

    @BeforeAll
    static void start() throws Exception {
        // chat here keeps the first v1 behaviour, one presenceUpdate per change (presence-window: 0);
        // PresenceScaleIT tests the coalesced pushes.
        Namespaces ns = Namespaces.builder()
                .put(NamespaceConfig.chat().withPresenceWindow(Duration.ZERO, 0))
                .put(NamespaceConfig.plain("staff").withPresence(true, true)
                        .withAccess(Access.CLAIM, Access.CLAIM, Access.CLAIM, Access.CLAIM))
                .put(NamespaceConfig.plain("quiet").withPresence(true, false).withEcho(false))
                .put(NamespaceConfig.plain("readonly").withAccess(Access.AUTHENTICATED, Access.NONE, Access.NONE, Access.NONE))
                .put(NamespaceConfig.plain("nohist").withHistory(10, Duration.ofMinutes(1))
                        .withAccess(Access.AUTHENTICATED, Access.AUTHENTICATED, Access.CLAIM, Access.AUTHENTICATED))
                .build();
        node = TestServer.start(TestServer.config().namespaces(ns).allowAnonymous(true));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static Envelope update(WsClient c, String user, String status) throws InterruptedException {
        return c.await(e -> e.type() == MessageType.PRESENCE_UPDATE && e.payloadText().contains("\"userId\":\"" + user + "\"")
                && e.payloadText().contains("\"status\":\"" + status + "\""), Duration.ofSeconds(5));
    }

    /** Pushes about {@code user}: per-change updates, or coalesced diffs that name the user. */
    private static long updates(WsClient c, String user) {
        return c.received.stream().filter(e -> (e.type() == MessageType.PRESENCE_UPDATE
                && e.payloadText().contains("\"userId\":\"" + user + "\""))
                || (e.type() == MessageType.PRESENCE_DIFF && e.payloadText().contains("\"" + user + "\""))).count();
    }

    @Test
    void joinAndLeavePushesTreatTwoTabsOfOneUserAsOnePresence() throws Exception {
        try (WsClient alice = node.client("alice")) {
            alice.subscribe("chat:room");
            update(alice, "alice", "online");
            WsClient bobTab1 = node.client("bob");
            bobTab1.subscribe("chat:room");
            Envelope online = update(alice, "bob", "online");
            assertThat(online.channel()).isEqualTo("chat:room");
            assertThat(online.payloadText()).contains("\"timestamp\":");
            WsClient bobTab2 = node.client("bob");
            bobTab2.subscribe("chat:room");

            Envelope who = alice.call("presence", "chat:room", null);
            assertThat(who.payloadText()).contains("\"users\":2");
            assertThat(who.payloadText().split("\"clientId\"")).hasSize(4); // three connections
            assertThat(who.payloadText()).contains("\"userId\":\"alice\"", "\"userId\":\"bob\"");

            bobTab1.call("unsubscribe", "chat:room", null);
            bobTab1.close();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.server.sessionCount() == 2);
            // The sentinel: cara's join is announced after anything bob's first tab leaving announced.
            try (WsClient cara = node.client("cara")) {
                cara.subscribe("chat:room");
                update(alice, "cara", "online");
            }
            update(alice, "cara", "offline"); // she has left before the count below
            assertThat(updates(alice, "bob")).as("no offline while bob's second tab is there").isZero();
            bobTab2.close(); // leaving by disconnecting counts too
            update(alice, "bob", "offline");
            assertThat(alice.call("presence", "chat:room", null).payloadText()).contains("\"users\":1").doesNotContain("bob");
        }
    }

    @Test
    void theNodeRefreshesPresenceBeforeItsTtlRunsOut() throws Exception {
        try (TestServer shortTtl = TestServer.start(TestServer.config().presenceTtl(Duration.ofMillis(300)));
             WsClient a = shortTtl.client("lee"); WsClient b = shortTtl.client("max")) {
            a.subscribe("chat:ttl");
            b.subscribe("chat:ttl");
            Thread.sleep(1500); // five TTLs: the length of the scenario
            assertThat(a.call("presence", "chat:ttl", null).payloadText()).contains("\"users\":2");
            // The sentinel: ned's join is announced after any offline of max.
            try (WsClient ned = shortTtl.client("ned")) {
                ned.subscribe("chat:ttl");
                // This node's default chat coalesces presence into presenceDiff pushes.
                a.await(e -> e.type() == MessageType.PRESENCE_DIFF && e.payloadText().contains("\"ned\""), Duration.ofSeconds(10));
                assertThat(updates(a, "max")).as("max went online once and never offline").isEqualTo(1);
            }
        }
    }

    @Test
    void presenceShowsTheTokensInfoAndSkipsAnonymous() throws Exception {
        try (WsClient carol = node.client("carol", Map.of("info", Map.of("name", "Carol C.")));
             WsClient anon = WsClient.to(node.port()).connect()) {
            anon.awaitType(MessageType.WELCOME);
            carol.subscribe("chat:info");
            anon.subscribe("chat:info");
            Envelope who = anon.call("presence", "chat:info", null);
            assertThat(who.payloadText()).contains("\"info\":{\"name\":\"Carol C.\"}", "\"users\":1");
        }
    }

    @Test
    void claimAccessAdmitsOnlyUsersNamedInTheirToken() throws Exception {
        try (WsClient outsider = node.client("eve");
             WsClient member = node.client("dan", Map.of("channels", List.of("staff:*")));
             WsClient narrow = node.client("fay", Map.of("channels", List.of("staff:ops")))) {
            assertThat(outsider.subscribe("staff:ops").code()).isEqualTo("forbidden");
            assertThat(outsider.call("presence", "staff:ops", null).code()).isEqualTo("forbidden");
            assertThat(outsider.publish("staff:ops", "1").code()).isEqualTo("forbidden");
            assertThat(member.subscribe("staff:ops").type()).isEqualTo(MessageType.ACK);
            assertThat(member.call("presence", "staff:ops", null).type()).isEqualTo(MessageType.ACK);
            assertThat(narrow.subscribe("staff:ops").type()).isEqualTo(MessageType.ACK);
            assertThat(narrow.subscribe("staff:hr").code()).isEqualTo("forbidden");
        }
    }

    @Test
    void refreshWithNarrowerClaimsEndsSubscriptionsTheTokenNoLongerAllows() throws Exception {
        try (WsClient dan = node.client("dan2", Map.of("channels", List.of("staff:*")));
             WsClient pub = node.client("pub2", Map.of("channels", List.of("staff:*")))) {
            assertThat(dan.subscribe("staff:ops").type()).isEqualTo(MessageType.ACK);
            assertThat(dan.subscribe("staff:hr").type()).isEqualTo(MessageType.ACK);
            String narrower = node.token("dan2", Map.of("channels", List.of("staff:ops")));
            assertThat(dan.call("refresh", null, "\"token\":\"" + narrower + "\"").type()).isEqualTo(MessageType.ACK);
            Envelope ended = dan.awaitType(MessageType.UNSUBSCRIBED);
            assertThat(ended.channel()).isEqualTo("staff:hr");
            assertThat(ended.code()).isEqualTo("forbidden");
            pub.publish("staff:hr", "\"secret\"");
            pub.publish("staff:ops", "\"fine\"");
            assertThat(dan.awaitType(MessageType.MESSAGE).payloadText()).isEqualTo("\"fine\"");
            assertThat(dan.call("ping", null, null).type()).isEqualTo(MessageType.PONG); // after anything queued before it
            assertThat(dan.received).noneMatch(e -> "\"secret\"".equals(e.payloadText()));
            assertThat(dan.received).noneMatch(e -> e.type() == MessageType.UNSUBSCRIBED);
        }
    }

    @Test
    void subscriptionTokenGrantsOneChannelToItsUser() throws Exception {
        try (WsClient eve = node.client("eve2")) {
            assertThat(eve.subscribe("staff:ops").code()).isEqualTo("forbidden"); // no claim in her connection token
            String grant = node.token("eve2", Map.of("channels", List.of("staff:ops")));
            Envelope ok = eve.call("subscribe", "staff:ops", "\"token\":\"" + grant + "\"");
            assertThat(ok.type()).isEqualTo(MessageType.ACK);
            assertThat(eve.call("subscribe", "staff:hr", "\"token\":\"" + grant + "\"").message()).contains("does not name staff:hr");
            String forOther = node.token("mallory", Map.of("channels", List.of("staff:hr")));
            assertThat(eve.call("subscribe", "staff:hr", "\"token\":\"" + forOther + "\"").message()).contains("another user");
            assertThat(eve.call("subscribe", "staff:hr", "\"token\":\"junk\"").code()).isEqualTo("forbidden");
            // A subscription token cannot open what is closed to everyone.
            String ro = node.token("eve2", Map.of("channels", List.of("readonly:*")));
            assertThat(eve.subscribe("readonly:y").type()).isEqualTo(MessageType.ACK); // readonly: anyone authenticated may subscribe
            // ...and a refresh (which re-checks the connection's subscriptions) keeps what a subscription token granted.
            assertThat(eve.call("refresh", null, "\"token\":\"" + node.token("eve2") + "\"").type()).isEqualTo(MessageType.ACK);
            // The refresh re-checks the subscriptions right after its ack: a later reply comes after any push of it.
            assertThat(eve.call("ping", null, null).type()).isEqualTo(MessageType.PONG);
            assertThat(eve.received).noneMatch(e -> e.type() == MessageType.UNSUBSCRIBED && "staff:ops".equals(e.channel()));
            assertThat(ro).isNotNull();
        }
    }

    @Test
    void subscriptionTokensCannotOpenANamespaceClosedToAll() throws Exception {
        try (TestServer closed = TestServer.start(TestServer.config().namespaces(Namespaces.builder()
                .put(NamespaceConfig.plain("shut").withAccess(Access.NONE, Access.NONE, Access.NONE, Access.NONE)).build()));
             WsClient c = closed.client("u")) {
            String grant = closed.token("u", Map.of("channels", List.of("shut:x")));
            Envelope e = c.call("subscribe", "shut:x", "\"token\":\"" + grant + "\"");
            assertThat(e.code()).isEqualTo("forbidden");
            assertThat(e.message()).contains("none");
        }
    }

    @Test
    void refreshAlsoLimitsTheInfoClaim() throws Exception {
        try (WsClient c = node.client("slim")) {
            String fat = node.token("slim", Map.of("info", Map.of("bio", "x".repeat(2000))));
            assertThat(c.call("refresh", null, "\"token\":\"" + fat + "\"").code()).isEqualTo("too_large");
        }
    }

    @Test
    void aPresenceAckStaysWithinTheFrameLimit() throws Exception {
        try (TestServer small = TestServer.start(TestServer.config().maxFrameBytes(4096))) {
            java.util.List<WsClient> crowd = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    WsClient c = small.client("user" + i, Map.of("info", Map.of("bio", "b".repeat(900))));
                    c.subscribe("chat:crowd");
                    crowd.add(c);
                }
                crowd.get(0).rawFrames.clear();
                Envelope who = crowd.get(0).call("presence", "chat:crowd", null);
                assertThat(who.payloadText()).contains("\"more\":true", "\"users\":20");
                assertThat(crowd.get(0).rawFrames).allMatch(f -> f.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 4096);
            } finally {
                crowd.forEach(WsClient::close);
            }
        }
    }

    @Test
    void anOversizedInfoClaimIsRefusedAtTheHandshake() throws Exception {
        String token = node.token("fat", Map.of("info", Map.of("bio", "x".repeat(2000))));
        try (WsClient c = WsClient.to(node.port()).token(token).connect()) {
            Envelope e = c.awaitType(MessageType.ERROR);
            assertThat(e.code()).isEqualTo("too_large");
            assertThat(c.awaitClose()).isEqualTo(4500);
        }
    }

    @Test
    void namespaceWithoutJoinLeaveKeepsPresenceButPushesNothing() throws Exception {
        try (WsClient a = node.client("gil"); WsClient b = node.client("hal")) {
            a.subscribe("quiet:x");
            b.subscribe("quiet:x");
            // The joins were announced (or not) before b's subscribe was answered, so before this reply to a.
            assertThat(a.call("presence", "quiet:x", null).payloadText()).contains("\"users\":2");
            assertThat(a.received).noneMatch(e -> e.type() == MessageType.PRESENCE_UPDATE || e.type() == MessageType.PRESENCE_DIFF);
        }
    }

    @Test
    void echoOffSkipsThePublisherOnly() throws Exception {
        try (WsClient a = node.client("ivy"); WsClient b = node.client("jon")) {
            a.subscribe("quiet:echo");
            b.subscribe("quiet:echo");
            assertThat(a.publish("quiet:echo", "\"from ivy\"").type()).isEqualTo(MessageType.ACK);
            assertThat(b.awaitType(MessageType.MESSAGE).payloadText()).isEqualTo("\"from ivy\"");
            // The sentinel: jon's message comes after ivy's own would have.
            assertThat(b.publish("quiet:echo", "\"from jon\"").type()).isEqualTo(MessageType.ACK);
            assertThat(a.awaitType(MessageType.MESSAGE).payloadText()).isEqualTo("\"from jon\"");
            assertThat(a.received).noneMatch(e -> e.type() == MessageType.MESSAGE);
        }
    }

    @Test
    void resubscribeWithoutHistoryAccessSubscribesButDoesNotRecover() throws Exception {
        try (WsClient a = node.client("ned"); WsClient pub = node.client("ola")) {
            Envelope ack = a.subscribe("nohist:x");
            String epoch = ack.payloadText().replaceAll(".*\"epoch\":\"([^\"]+)\".*", "$1");
            a.call("unsubscribe", "nohist:x", null);
            pub.publish("nohist:x", "1");
            Envelope again = a.call("subscribe", "nohist:x", "\"since\":{\"epoch\":\"" + epoch + "\",\"offset\":0}");
            assertThat(again.type()).isEqualTo(MessageType.ACK);
            assertThat(again.payloadText()).contains("\"recovered\":false", "\"reason\":\"forbidden\"");
            pub.publish("nohist:x", "2");
            assertThat(a.messages(1, Duration.ofSeconds(5))).extracting(Envelope::payloadText).containsExactly("2");
            assertThat(a.call("history", "nohist:x", null).code()).isEqualTo("forbidden");
            // Access is checked before features: "readonly" keeps no history, but a reader with no
            // access learns only that it may not read, not what the channel has.
            assertThat(a.call("history", "readonly:x", null).code()).isEqualTo("forbidden");
        }
    }

    @Test
    void accessNoneClosesAnAction() throws Exception {
        try (WsClient a = node.client("kim")) {
            assertThat(a.subscribe("readonly:x").type()).isEqualTo(MessageType.ACK);
            Envelope e = a.publish("readonly:x", "1");
            assertThat(e.code()).isEqualTo("forbidden");
            assertThat(e.message()).contains("namespace access: none");
        }
    }
}
