package io.switchboard.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.protocol.proto.Type;
import io.switchboard.server.testing.ExternalServer;
import io.switchboard.server.testing.PbClient;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The binary subprotocol across two in-process nodes on the test's own redis-server: a publication made in
 * one wire format on one node reaches subscribers of both formats on the other, JSON payloads as their UTF-8
 * bytes, binary ones as bytes (Protobuf) or base64 (JSON), in offset order. The payload's kind travels as the
 * bytes themselves, so the nodes agree on it without any extra field in what they exchange.
 */
class ProtobufClusterIT {

    static ExternalServer redis;
    static Nodes nodes;

    @BeforeAll
    static void start() throws Exception {
        redis = ExternalServer.redis();
        nodes = Nodes.start(2, TestServer.config(), redis.url(), null, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
        redis.close();
    }

    static PbClient pb(int node, String user) throws Exception {
        return PbClient.connect(nodes.get(node).port(), nodes.get(node).token(user));
    }

    @Test
    void jsonPublisherOnOneNodeProtobufSubscriberOnTheOther() throws Exception {
        try (PbClient sub = pb(1, "sub"); WsClient jsonSub = nodes.get(1).client("jsub"); WsClient pub = nodes.get(0).client("pub")) {
            assertThat(sub.subscribe("chat:x-j2p").getType()).isEqualTo(Type.ACK);
            assertThat(jsonSub.subscribe("chat:x-j2p").type()).isEqualTo(MessageType.ACK);
            for (int i = 1; i <= 5; i++) {
                assertThat(pub.publish("chat:x-j2p", "{\"i\": " + i + "}").type()).isEqualTo(MessageType.ACK);
            }
            for (int i = 1; i <= 5; i++) {
                io.switchboard.protocol.proto.Envelope m = sub.awaitType(Type.MESSAGE);
                assertThat(m.getOffset()).isEqualTo(i);
                assertThat(m.getFrom()).isEqualTo("pub");
                assertThat(m.getPayload().toString(StandardCharsets.UTF_8)).isEqualTo("{\"i\": " + i + "}");
            }
            List<Envelope> json = jsonSub.messages(5, Duration.ofSeconds(10));
            assertThat(json).extracting(Envelope::payloadText).containsExactly(
                    "{\"i\": 1}", "{\"i\": 2}", "{\"i\": 3}", "{\"i\": 4}", "{\"i\": 5}");
        }
    }

    @Test
    void protobufPublisherOnOneNodeJsonAndProtobufSubscribersOnTheOther() throws Exception {
        byte[] binary = {(byte) 0x89, 'P', 'N', 'G', 0, 0};
        byte[] json = "[1,\"two\"]".getBytes(StandardCharsets.UTF_8);
        try (WsClient jsonSub = nodes.get(0).client("jsub"); PbClient pbSub = pb(0, "psub"); PbClient pub = pb(1, "pub")) {
            assertThat(jsonSub.subscribe("chat:x-p2j").type()).isEqualTo(MessageType.ACK);
            assertThat(pbSub.subscribe("chat:x-p2j").getType()).isEqualTo(Type.ACK);
            assertThat(pub.publish("chat:x-p2j", binary).getType()).isEqualTo(Type.ACK);
            assertThat(pub.publish("chat:x-p2j", json).getType()).isEqualTo(Type.ACK);

            List<Envelope> got = jsonSub.messages(2, Duration.ofSeconds(10));
            assertThat(got.get(0).payload()).isEqualTo(binary);
            assertThat(got.get(0).offset()).isEqualTo(1);
            assertThat(got.get(1).payloadText()).isEqualTo("[1,\"two\"]");
            assertThat(String.join("\n", jsonSub.rawFrames))
                    .contains("\"payloadBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"");

            io.switchboard.protocol.proto.Envelope first = pbSub.awaitType(Type.MESSAGE);
            assertThat(first.getPayload().toByteArray()).isEqualTo(binary);
            assertThat(first.getOffset()).isEqualTo(1);
            assertThat(pbSub.awaitType(Type.MESSAGE).getPayload().toByteArray()).isEqualTo(json);

            // The stream in Redis keeps the bytes: a JSON reader on the other node sees base64 in history.
            Envelope history;
            try (WsClient reader = nodes.get(1).client("reader")) {
                history = reader.call("history", "chat:x-p2j", "\"limit\":5");
            }
            assertThat(history.payloadText()).contains("\"payloadBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"",
                    "\"payload\":[1,\"two\"]");
        }
    }
}
