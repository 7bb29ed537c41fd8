package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every client command: its ack, and each error it documents. */
class CommandsIT {

    static TestServer node;

    @BeforeAll
    static void start() throws Exception {
        node = TestServer.start(TestServer.config().limits(TestServer.LIMITS.withMaxChannelsPerConnection(3)));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void subscribeAcksAndRejectsRepeatsBadNamesAndTooMany() throws Exception {
        try (WsClient c = node.client("alice")) {
            assertThat(c.subscribe("chat:lobby").type()).isEqualTo(MessageType.ACK);
            Envelope again = c.subscribe("chat:lobby");
            assertThat(again.code()).isEqualTo("already_subscribed");
            assertThat(again.retryable()).isFalse();
            assertThat(c.subscribe("bad channel!").code()).isEqualTo("unknown_channel");
            assertThat(c.subscribe(":nonamespace").code()).isEqualTo("unknown_channel");
            assertThat(c.subscribe("x".repeat(256)).code()).isEqualTo("unknown_channel");
            assertThat(c.call("subscribe", null, null).code()).isEqualTo("bad_request");
            assertThat(c.subscribe("b").type()).isEqualTo(MessageType.ACK);
            assertThat(c.subscribe("c").type()).isEqualTo(MessageType.ACK);
            assertThat(c.subscribe("d").code()).isEqualTo("limit_exceeded");
        }
    }

    @Test
    void unsubscribeAcksOnceThenSaysNotSubscribed() throws Exception {
        try (WsClient c = node.client("alice")) {
            c.subscribe("room1");
            assertThat(c.call("unsubscribe", "room1", null).type()).isEqualTo(MessageType.ACK);
            assertThat(c.call("unsubscribe", "room1", null).code()).isEqualTo("not_subscribed");
            assertThat(node.server.hub().subscriberCount("room1")).isZero();
        }
    }

    @Test
    void publishAcksAndDeliversWithSenderAndTimestamp() throws Exception {
        try (WsClient sub = node.client("bob"); WsClient pub = node.client("alice")) {
            sub.subscribe("news");
            long before = System.currentTimeMillis();
            Envelope ack = pub.publish("news", "{\"text\":\"hello\",\"n\":[1,2,{\"deep\":null}]}");
            assertThat(ack.type()).isEqualTo(MessageType.ACK);
            Envelope m = sub.awaitType(MessageType.MESSAGE);
            assertThat(m.channel()).isEqualTo("news");
            assertThat(m.from()).isEqualTo("alice");
            assertThat(m.ts()).isBetween(before - 1000, System.currentTimeMillis() + 1000);
            // The payload arrives byte for byte as it was sent.
            assertThat(m.payloadText()).isEqualTo("{\"text\":\"hello\",\"n\":[1,2,{\"deep\":null}]}");
            assertThat(m.offset()).isNull();
        }
    }

    @Test
    void publishWithoutPayloadOrToBadChannelFails() throws Exception {
        try (WsClient c = node.client("alice")) {
            assertThat(c.call("publish", "chat:x", null).code()).isEqualTo("bad_request");
            assertThat(c.publish("no spaces", "1").code()).isEqualTo("unknown_channel");
        }
    }

    @Test
    void publisherSubscribedToItsChannelGetsItsOwnMessage() throws Exception {
        try (WsClient c = node.client("alice")) {
            c.subscribe("echo");
            c.publish("echo", "\"me\"");
            assertThat(c.awaitType(MessageType.MESSAGE).payloadText()).isEqualTo("\"me\"");
        }
    }

    @Test
    void pingIsAnsweredWithPongCarryingTheId() throws Exception {
        try (WsClient c = node.client("alice")) {
            Envelope pong = c.call("ping", null, null);
            assertThat(pong.type()).isEqualTo(MessageType.PONG);
        }
    }

    @Test
    void numericIdsAreEchoedAsNumbers() throws Exception {
        try (WsClient c = node.client("alice")) {
            c.sendText("{\"v\":1,\"type\":\"subscribe\",\"id\":77,\"channel\":\"n\"}");
            Envelope ack = c.await(e -> e.type() == MessageType.ACK);
            assertThat(ack.id().numeric()).isTrue();
            assertThat(ack.id().text()).isEqualTo("77");
            assertThat(c.rawFrames).anyMatch(f -> f.contains("\"id\":77"));
        }
    }

    @Test
    void presenceAndHistoryAreNotAvailableWhereTheNamespaceKeepsNone() throws Exception {
        try (WsClient c = node.client("alice")) {
            assertThat(c.call("presence", "lobby", null).code()).isEqualTo("not_available");
            assertThat(c.call("history", "lobby", null).code()).isEqualTo("not_available");
        }
    }

    @Test
    void unknownNamespaceIsUnknownChannel() throws Exception {
        try (WsClient c = node.client("alice")) {
            Envelope e = c.subscribe("nosuchns:lobby");
            assertThat(e.code()).isEqualTo("unknown_channel");
            assertThat(e.message()).contains("nosuchns");
            assertThat(c.publish("nosuchns:x", "1").code()).isEqualTo("unknown_channel");
            assertThat(c.call("unsubscribe", "nosuchns:lobby", null).code()).isEqualTo("unknown_channel");
            assertThat(c.call("unsubscribe", "chat:never", null).code()).isEqualTo("not_subscribed");
        }
    }

    @Test
    void payloadsWithNumbersOfAnyLengthAreOpaqueAndDelivered() throws Exception {
        try (WsClient pub = node.client("alice"); WsClient sub = node.client("bob")) {
            sub.subscribe("digits");
            String payload = "{\"n\":" + "7".repeat(5000) + ",\"f\":-1." + "3".repeat(3000) + "e" + "9".repeat(2000) + "}";
            assertThat(pub.publish("digits", payload).type()).isEqualTo(MessageType.ACK);
            assertThat(sub.awaitType(MessageType.MESSAGE).payloadText()).isEqualTo(payload);
        }
    }

    @Test
    void payloadOverTheLimitIsTooLarge() throws Exception {
        try (WsClient c = node.client("alice")) {
            Envelope e = c.publish("news", "\"" + "a".repeat(65_000) + "\"");
            assertThat(e.code()).isEqualTo("too_large");
            assertThat(c.call("ping", null, null).type()).isEqualTo(MessageType.PONG);
        }
    }

    @Test
    void refreshAcceptsSameUserAndRefusesOthers() throws Exception {
        try (WsClient c = node.client("rita")) {
            Envelope ok = c.call("refresh", null, "\"token\":\"" + node.token("rita", Duration.ofHours(2)) + "\"");
            assertThat(ok.type()).isEqualTo(MessageType.ACK);
            assertThat(ok.payloadText()).contains("expiresAt");
            assertThat(c.call("refresh", null, "\"token\":\"" + node.token("mallory") + "\"").code()).isEqualTo("forbidden");
            assertThat(c.call("refresh", null, "\"token\":\"junk\"").code()).isEqualTo("unauthorized");
            assertThat(c.call("refresh", null, null).code()).isEqualTo("bad_request");
            // The user as any thread sees it after the refresh: the server API's user-wide disconnect finds it.
            java.util.List<String> users = new java.util.ArrayList<>();
            node.server.node().connections().forEach(conn -> users.add(conn.userId()));
            assertThat(users).contains("rita");
            assertThat(node.server.node().connections().disconnectUser("rita", io.switchboard.protocol.CloseCode.NORMAL))
                    .isEqualTo(1);
            assertThat(c.awaitClose()).isEqualTo(1000);
        }
    }

    @Test
    void tokenExpiryClosesAnOpenConnectionUnlessRefreshed() throws Exception {
        // 31 s of life is the shortest that passes the 30 s clock skew at the handshake... so use a
        // token that is already 29 s past its exp: accepted within the skew, and due at once.
        try (WsClient c = WsClient.to(node.port()).token(node.token("late", Duration.ofSeconds(-29))).connect()) {
            assertThat(c.awaitType(MessageType.WELCOME)).isNotNull();
            Envelope e = c.awaitType(MessageType.ERROR);
            assertThat(e.code()).isEqualTo("token_expired");
            assertThat(c.awaitClose()).isEqualTo(4004);
        }
    }

    @Test
    void aBatchOfCommandsIsAnsweredInOrder() throws Exception {
        try (WsClient c = node.client("alice")) {
            c.sendText("[{\"v\":1,\"type\":\"subscribe\",\"id\":\"a\",\"channel\":\"batch\"},"
                    + "{\"v\":1,\"type\":\"publish\",\"id\":\"b\",\"channel\":\"batch\",\"payload\":{\"k\":1}},"
                    + "{\"v\":1,\"type\":\"bogus\",\"id\":\"c\"}]");
            assertThat(c.replyTo("a").type()).isEqualTo(MessageType.ACK);
            assertThat(c.replyTo("b").type()).isEqualTo(MessageType.ACK);
            assertThat(c.replyTo("c").code()).isEqualTo("unknown_type");
            Envelope m = c.awaitType(MessageType.MESSAGE);
            assertThat(m.payloadText()).isEqualTo("{\"k\":1}");
        }
    }

    @Test
    void severalQueuedMessagesGoOutAsOneArrayFrame() throws Exception {
        // One connection publishes 50 messages in one frame to a channel it is subscribed to: everything
        // it gets back (50 acks, 50 messages) is queued on its event loop before the first flush runs,
        // so the node must send it as array frames, each within the 100-envelope batch limit.
        try (WsClient c = node.client("bob")) {
            c.subscribe("burst");
            c.rawFrames.clear();
            StringBuilder batch = new StringBuilder("[");
            for (int i = 0; i < 50; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"v\":1,\"type\":\"publish\",\"id\":\"p").append(i)
                        .append("\",\"channel\":\"burst\",\"payload\":").append(i).append('}');
            }
            c.sendText(batch.append(']').toString());
            assertThat(c.messages(50, Duration.ofSeconds(10))).extracting(Envelope::payloadText)
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50).mapToObj(Integer::toString).toList());
            assertThat(c.arrayFrames.get()).isPositive();
            assertThat(c.rawFrames.size()).as("100 envelopes in at most a few frames").isLessThanOrEqualTo(4);
        }
    }
}
