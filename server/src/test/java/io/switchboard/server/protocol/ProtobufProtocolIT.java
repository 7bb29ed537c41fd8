package io.switchboard.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.protocol.proto.Position;
import io.switchboard.protocol.proto.Type;
import io.switchboard.server.testing.PbClient;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The binary subprotocol on one node, through real clients: the JDK's WebSocket sending frames built with
 * the generated Protobuf classes ({@link PbClient}) beside the JSON test client. Covers the subprotocol
 * choice, both directions across formats (JSON publisher to Protobuf subscriber and the reverse, JSON and
 * binary payloads), history, recovery, the size limit of binary payloads, and the bad-input rules.
 */
class ProtobufProtocolIT {

    static TestServer node;

    @BeforeAll
    static void start() throws Exception {
        node = TestServer.start(TestServer.config());
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static PbClient pb(String user) throws Exception {
        return PbClient.connect(node.port(), node.token(user));
    }

    @Test
    void theBinarySubprotocolIsChosenWhenOfferedAndItsWelcomeIsProtobuf() throws Exception {
        try (PbClient c = pb("ann")) {
            assertThat(c.subprotocol()).isEqualTo("switchboard.v1.protobuf");
            io.switchboard.protocol.proto.Envelope welcome = c.awaitType(Type.WELCOME);
            assertThat(welcome.getPayload().toStringUtf8()).contains("\"userId\":\"ann\"", "\"protocol\":1");
            io.switchboard.protocol.proto.Envelope pong = c.call(io.switchboard.protocol.proto.Envelope.newBuilder().setType(Type.PING));
            assertThat(pong.getType()).isEqualTo(Type.PONG);
            assertThat(c.textFrames.get()).isZero();
        }
        // The client's order of preference decides between the two.
        try (PbClient c = PbClient.connect(node.port(), node.token("ann"), "switchboard.v1.json", "switchboard.v1.protobuf")) {
            assertThat(c.subprotocol()).isEqualTo("switchboard.v1.json");
        }
        try (WsClient c = WsClient.to(node.port()).token(node.token("ann"))
                .subprotocols("switchboard.v2.protobuf,switchboard.v1.protobuf,switchboard.v1.json").connect()) {
            assertThat(c.subprotocol()).isEqualTo("switchboard.v1.protobuf");
        }
    }

    @Test
    void aRefusedConnectionIsToldWhyInItsOwnFormat() throws Exception {
        try (PbClient c = PbClient.connect(node.port(), "not-a-token")) {
            io.switchboard.protocol.proto.Envelope e = c.awaitType(Type.ERROR);
            assertThat(e.getCode()).isEqualTo("unauthorized");
            assertThat(e.getRetryable()).isFalse();
            assertThat(c.awaitClose()).isEqualTo(4500);
            assertThat(c.textFrames.get()).isZero();
        }
    }

    @Test
    void aJsonPublicationReachesProtobufSubscribersAsItsUtf8Bytes() throws Exception {
        try (PbClient sub = pb("sub"); WsClient pub = node.client("pub")) {
            io.switchboard.protocol.proto.Envelope ack = sub.subscribe("chat:j2p");
            assertThat(ack.getType()).isEqualTo(Type.ACK);
            assertThat(ack.getPayload().toStringUtf8()).contains("\"recovered\":false");
            String json = "{\"text\":\"héllo\", \"n\":[1,2.50]}";
            assertThat(pub.publish("chat:j2p", json).type()).isEqualTo(MessageType.ACK);
            io.switchboard.protocol.proto.Envelope m = sub.awaitType(Type.MESSAGE);
            assertThat(m.getPayload().toByteArray()).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
            assertThat(m.getChannel()).isEqualTo("chat:j2p");
            assertThat(m.getFrom()).isEqualTo("pub");
            assertThat(m.getOffset()).isEqualTo(1);
            assertThat(m.hasEpoch()).isTrue();
            assertThat(m.getTs()).isPositive();
        }
    }

    @Test
    void aProtobufPublicationReachesJsonSubscribersAsJsonOrAsBase64() throws Exception {
        byte[] binary = {0, 1, 2, (byte) 0xFE, (byte) 0xFF, '{'};
        byte[] json = "{\"a\":[true,null]}".getBytes(StandardCharsets.UTF_8);
        try (PbClient pub = pb("pub"); WsClient jsonSub = node.client("j"); PbClient pbSub = pb("p")) {
            assertThat(jsonSub.subscribe("chat:p2j").type()).isEqualTo(MessageType.ACK);
            assertThat(pbSub.subscribe("chat:p2j").getType()).isEqualTo(Type.ACK);
            io.switchboard.protocol.proto.Envelope ack = pub.publish("chat:p2j", binary);
            assertThat(ack.getType()).as("%s", ack).isEqualTo(Type.ACK);
            assertThat(ack.getPayload().toStringUtf8()).contains("\"offset\":1");
            assertThat(pub.publish("chat:p2j", json).getType()).isEqualTo(Type.ACK);

            List<Envelope> got = jsonSub.messages(2, Duration.ofSeconds(10));
            assertThat(got.get(0).payload()).as("decoded from payloadBase64").isEqualTo(binary);
            assertThat(got.get(1).payloadText()).isEqualTo("{\"a\":[true,null]}");
            String frames = String.join("\n", jsonSub.rawFrames);
            assertThat(frames).contains("\"payloadBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"")
                    .contains("\"payload\":{\"a\":[true,null]}");

            assertThat(pbSub.awaitType(Type.MESSAGE).getPayload().toByteArray()).isEqualTo(binary);
            assertThat(pbSub.awaitType(Type.MESSAGE).getPayload().toByteArray()).isEqualTo(json);

            // History: the JSON ack carries the binary payload in base64 too, for either kind of reader.
            Envelope history = jsonSub.call("history", "chat:p2j", "\"limit\":10");
            assertThat(history.payloadText()).contains("\"payloadBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"",
                    "\"payload\":{\"a\":[true,null]}");
            io.switchboard.protocol.proto.Envelope pbHistory = pbSub.call(io.switchboard.protocol.proto.Envelope.newBuilder()
                    .setType(Type.HISTORY).setChannel("chat:p2j").setLimit(10));
            assertThat(pbHistory.getPayload().toStringUtf8()).isEqualTo(history.payloadText());
        }
    }

    @Test
    void aProtobufSubscriberRecoversWhatItMissedInItsOwnFormat() throws Exception {
        try (PbClient pub = pb("pub"); PbClient first = pb("r")) {
            first.subscribe("chat:rec");
            pub.publish("chat:rec", new byte[] {9});
            io.switchboard.protocol.proto.Envelope seen = first.awaitType(Type.MESSAGE);
            first.close();
            pub.publish("chat:rec", new byte[] {10});
            pub.publish("chat:rec", "11".getBytes(StandardCharsets.UTF_8));
            try (PbClient again = pb("r")) {
                io.switchboard.protocol.proto.Envelope ack = again.call(io.switchboard.protocol.proto.Envelope.newBuilder()
                        .setType(Type.SUBSCRIBE).setChannel("chat:rec")
                        .setSince(Position.newBuilder().setEpoch(seen.getEpoch()).setOffset(seen.getOffset())));
                assertThat(ack.getPayload().toStringUtf8()).contains("\"recovered\":true");
                assertThat(again.awaitType(Type.MESSAGE).getPayload().toByteArray()).containsExactly(10);
                assertThat(again.awaitType(Type.MESSAGE).getPayload().toStringUtf8()).isEqualTo("11");
            }
        }
    }

    @Test
    void commandRulesAreTheJsonOnes() throws Exception {
        try (PbClient c = pb("rules")) {
            io.switchboard.protocol.proto.Envelope e = c.call(io.switchboard.protocol.proto.Envelope.newBuilder()
                    .setType(Type.PUBLISH).setChannel("chat:x"));
            assertThat(e.getType()).isEqualTo(Type.ERROR);
            assertThat(e.getCode()).isEqualTo("bad_request");
            assertThat(e.getMessage()).contains("payload");
            e = c.call(io.switchboard.protocol.proto.Envelope.newBuilder().setType(Type.ACK));
            assertThat(e.getCode()).isEqualTo("unknown_type");
            e = c.call(io.switchboard.protocol.proto.Envelope.newBuilder().setTypeValue(99));
            assertThat(e.getCode()).isEqualTo("unknown_type");
            e = c.call(io.switchboard.protocol.proto.Envelope.newBuilder().setType(Type.PING).setV(2));
            assertThat(e.getCode()).isEqualTo("unsupported_version");
            e = c.call(io.switchboard.protocol.proto.Envelope.newBuilder().setType(Type.SUBSCRIBE).setChannel("no space"));
            assertThat(e.getCode()).isEqualTo("unknown_channel");
            // A numeric id comes back as a number.
            c.send(io.switchboard.protocol.proto.Envelope.newBuilder().setType(Type.PING).setIdNumber(77).build());
            io.switchboard.protocol.proto.Envelope pong = c.await(x -> x.getType() == Type.PONG);
            assertThat(pong.getCommandIdCase()).isEqualTo(io.switchboard.protocol.proto.Envelope.CommandIdCase.ID_NUMBER);
            assertThat(pong.getIdNumber()).isEqualTo(77);
            // A batch: several delimited envelopes in one frame, answered in order.
            c.send(io.switchboard.protocol.proto.Envelope.newBuilder().setType(Type.PING).setId("b1").build(),
                    io.switchboard.protocol.proto.Envelope.newBuilder().setType(Type.PING).setId("b2").build());
            assertThat(c.await(x -> x.getType() == Type.PONG).getId()).isEqualTo("b1");
            assertThat(c.await(x -> x.getType() == Type.PONG).getId()).isEqualTo("b2");
        }
    }

    @Test
    void aBinaryPayloadMayBeAtMostThreeQuartersOfTheLimit() throws Exception {
        int max = 65536 - 1024;
        try (PbClient c = pb("big")) {
            byte[] binary = new byte[max / 4 * 3 + 1];
            binary[0] = (byte) 0xFF;
            io.switchboard.protocol.proto.Envelope e = c.publish("big", binary);
            assertThat(e.getCode()).isEqualTo("too_large");
            assertThat(c.publish("big", java.util.Arrays.copyOf(binary, binary.length - 1)).getType()).isEqualTo(Type.ACK);
            byte[] json = ("\"" + "j".repeat(max - 2) + "\"").getBytes(StandardCharsets.UTF_8);
            assertThat(c.publish("big", json).getType()).as("a JSON payload has the whole limit").isEqualTo(Type.ACK);
        }
    }

    @Test
    void badFramesGetAnErrorAreCountedAndLeaveOthersAlone() throws Exception {
        try (PbClient bystander = pb("bystander"); WsClient publisher = node.client("publisher"); PbClient bad = pb("bad");
             WsClient badJson = node.client("badjson")) {
            bystander.subscribe("steady");
            AtomicInteger published = new AtomicInteger();
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            ticker.scheduleAtFixedRate(() -> publisher.command("publish", "steady", "\"payload\":" + published.getAndIncrement()),
                    0, 5, TimeUnit.MILLISECONDS);
            try {
                double malformedBefore = rejected("protobuf", "malformed");
                double wrongKindBefore = rejected("protobuf", "wrong_kind");
                double jsonWrongKindBefore = rejected("json", "wrong_kind");

                bad.sendRaw(new byte[] {(byte) 0x80}); // a varint that never ends
                assertError(bad, "malformed protobuf");
                bad.sendRaw(new byte[] {5, 0x12, 0x02}); // a length past the end of the frame
                assertError(bad, "malformed protobuf");
                bad.sendRaw(new byte[] {3, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}); // an envelope that does not parse
                assertError(bad, "malformed protobuf");
                bad.sendRaw(new byte[0]);
                assertError(bad, "empty frame");
                bad.sendText("{\"v\":1,\"type\":\"ping\",\"id\":1}");
                assertError(bad, "text frames are not accepted on switchboard.v1.protobuf");
                badJson.sendBinary(PbClient.encode(io.switchboard.protocol.proto.Envelope.newBuilder().setType(Type.PING).setId("x").build()));
                Envelope je = badJson.awaitType(MessageType.ERROR);
                assertThat(je.code()).isEqualTo("bad_request");
                assertThat(je.message()).contains("binary frames are not accepted");

                // Both connections still serve.
                assertThat(bad.call(io.switchboard.protocol.proto.Envelope.newBuilder().setType(Type.PING)).getType()).isEqualTo(Type.PONG);
                assertThat(badJson.call("ping", null, null).type()).isEqualTo(MessageType.PONG);

                assertThat(rejected("protobuf", "malformed") - malformedBefore).isEqualTo(4);
                assertThat(rejected("protobuf", "wrong_kind") - wrongKindBefore).isEqualTo(1);
                assertThat(rejected("json", "wrong_kind") - jsonWrongKindBefore).isEqualTo(1);

                int mark = published.get();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> published.get() >= mark + 20);
            } finally {
                ticker.shutdownNow();
                ticker.awaitTermination(2, TimeUnit.SECONDS);
            }
            int sent = published.get();
            for (int i = 0; i < sent; i++) {
                io.switchboard.protocol.proto.Envelope m = bystander.await(x -> x.getType() == Type.MESSAGE, Duration.ofSeconds(10));
                assertThat(m.getPayload().toStringUtf8()).as("publication %d of %d", i, sent).isEqualTo(Integer.toString(i));
            }
            assertThat(bystander.isOpen()).isTrue();
        }
    }

    @Test
    void fiftyOneBadFramesCloseWith4002() throws Exception {
        try (PbClient bad = pb("burst")) {
            for (int i = 0; i < 51; i++) {
                bad.sendRaw(new byte[] {(byte) 0x80});
            }
            assertThat(bad.awaitClose()).isEqualTo(4002);
        }
    }

    private static void assertError(PbClient c, String messagePart) throws InterruptedException {
        io.switchboard.protocol.proto.Envelope e = c.awaitType(Type.ERROR);
        assertThat(e.getCode()).isEqualTo("bad_request");
        assertThat(e.getCommandIdCase()).isEqualTo(io.switchboard.protocol.proto.Envelope.CommandIdCase.COMMANDID_NOT_SET);
        assertThat(e.getMessage()).contains(messagePart);
    }

    /** The node's count of frames refused as a whole, read from /metrics (0 before the first). */
    static double rejected(String protocol, String reason) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        for (String line : r.body().split("\n")) {
            if (line.startsWith("switchboard_frames_rejected_total{") && line.contains("protocol=\"" + protocol + "\"")
                    && line.contains("reason=\"" + reason + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
