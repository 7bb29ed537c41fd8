package io.switchboard.server.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.pusher.PusherProtocolIT.Raw;
import io.switchboard.server.testing.RawWebSocket;
import io.switchboard.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A Pusher connection's own timing and limits, with real sockets: the close grace that ends the socket of a
 * client that never answers our close frame, the node's stop closing every Pusher connection on each
 * transport, its frames going straight to an epoll socket (and in order on every transport), and the
 * client-event rate limit (4301).
 */
class PusherConnectionIT {

    static final String UPGRADE = "GET /app/" + PusherProtocolIT.APP.key() + "?protocol=7 HTTP/1.1";

    static RawWebSocket rawPusher(int port) throws Exception {
        RawWebSocket ws = RawWebSocket.request(port, RawWebSocket.upgradeRequest(port, Map.of("request-line", UPGRADE)));
        assertThat(ws.handshake.status()).as(String.valueOf(ws.handshake)).isEqualTo(101);
        assertThat(ws.next().text()).contains("pusher:connection_established");
        return ws;
    }

    @Test
    void theSocketOfAClientThatNeverAnswersOurCloseFrameEndsAfterTheGrace() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().pusherApps(List.of(PusherProtocolIT.APP))
                .heartbeatInterval(Duration.ofSeconds(1)).heartbeatTimeout(Duration.ofMillis(500)))) {
            RawWebSocket silent = rawPusher(node.port());
            // It answers nothing: the activity check pings, then closes with 4201, and the client's close never comes.
            List<RawWebSocket.Frame> frames = silent.readUntil(f -> f.opcode() == RawWebSocket.CLOSE);
            assertThat(frames.get(frames.size() - 1).closeCode()).isEqualTo(4201);
            silent.setTimeout(5_000); // the grace is 2 s
            assertThat(silent.serverClosesSocket()).as("the node ends the socket itself after the grace").isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "nio"})
    void stoppingTheNodeEndsEveryPusherConnectionAndCleansItUp(String transport) throws Exception {
        TestServer node = TestServer.start(TestServer.config().transport(transport).pusherApps(List.of(PusherProtocolIT.APP)));
        try (RawWebSocket client = rawPusher(node.port())) {
            assertThat(node.server.node().connections().size()).isEqualTo(1);

            node.close();

            assertThat(node.server.node().connections().isEmpty()).as("cleaned up when close returns").isTrue();
            assertThat(client.serverClosesSocket()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "nio"})
    void onEpollEventsGoStraightToTheSocketAndArriveInOrderEitherWay(String transport) throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().transport(transport).pusherApps(List.of(PusherProtocolIT.APP)))) {
            List<Raw> clients = new ArrayList<>();
            for (String name : List.of("a", "b")) {
                Raw r = Raw.connect(node.port(), "/app/key-a?protocol=7&client=" + name, true);
                r.next("pusher:connection_established");
                r.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}");
                r.next("pusher_internal:subscription_succeeded");
                clients.add(r);
            }
            List<Boolean> direct = new ArrayList<>();
            node.server.node().connections().forEach(c -> direct.add(((PusherConnection) c).outbound().writesDirect()));
            assertThat(direct).hasSize(2).containsOnly(transport.equals("epoll"));

            String internal = PusherProtocolIT.APP.namespace() + ":news";
            int n = 300;
            for (int k = 0; k < n; k++) {
                byte[] event = ("{\"event\":\"e" + k + "\",\"data\":\"{}\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                node.server.node().channels().publish(io.switchboard.server.node.Caller.server(), internal, event, null, System.nanoTime()).join();
            }
            for (Raw c : clients) {
                for (int k = 0; k < n; k++) {
                    assertThat(c.next()).as("event %d, in order", k).contains("\"event\":\"e" + k + "\"");
                }
            }
        }
    }

    @Test
    void clientEventsOverTenASecondAreRefusedWith4301() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().pusherApps(List.of(PusherProtocolIT.APP)))) {
            Raw c = Raw.connect(node.port(), "/app/key-a?protocol=7", true);
            Matcher m = Pattern.compile("socket_id\\\\\":\\\\\"(\\d+\\.\\d+)").matcher(c.next("pusher:connection_established"));
            assertThat(m.find()).isTrue();
            String auth = PusherProtocolIT.APP.key() + ":"
                    + PusherSignatures.hmac(PusherProtocolIT.APP.secret(), m.group(1) + ":private-room");
            c.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"private-room\",\"auth\":\"" + auth + "\"}}");
            c.next("pusher_internal:subscription_succeeded");

            int sent = 40;
            for (int i = 0; i < sent; i++) {
                c.send("{\"event\":\"client-typing\",\"channel\":\"private-room\",\"data\":{}}");
            }
            c.send("{\"event\":\"pusher:ping\",\"data\":{}}"); // the sentinel: every answer to the events comes before its pong
            List<String> errors = new ArrayList<>();
            String f;
            while (!(f = c.next()).contains("\"pusher:pong\"")) {
                errors.add(f);
            }
            assertThat(errors).as("the ones over the rate, each refused with 4301").isNotEmpty()
                    .allSatisfy(e -> assertThat(e).contains("pusher:error").contains("\"code\":4301"));
            assertThat(errors.size()).as("the first ten pass (the bucket's burst)").isLessThanOrEqualTo(sent - 10);
        }
    }
}
