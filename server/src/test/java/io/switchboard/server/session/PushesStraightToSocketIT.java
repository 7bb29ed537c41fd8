package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.server.config.TlsConfig;
import io.switchboard.server.testing.Certificates;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A live session's pushes go straight to its socket where that is the same as Netty's write (epoll, no TLS),
 * and through Netty's pipeline on the other transports and over TLS; the clients get the same messages in the
 * same order either way.
 */
class PushesStraightToSocketIT {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void onEpollASessionWritesItsPushesStraightToTheSocket(String transport) throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().transport(transport));
             WsClient a = node.client("a");
             WsClient b = node.client("b")) {
            a.subscribe("news");
            b.subscribe("news");
            List<Boolean> direct = new ArrayList<>();
            node.server.node().connections().forEach(c -> direct.add(((Session) c).outbound().writesDirect()));
            assertThat(direct).as("every session of the node").hasSize(2).containsOnly(transport.equals("epoll"));

            publishAndReceiveInOrder(a, b);
        }
    }

    @Test
    void overTlsTheyGoThroughNettysPipelineToBeEncrypted() throws Exception {
        Path[] cert = Certificates.selfSigned(dir, "node");
        try (TestServer node = TestServer.start(TestServer.config().tls(TlsConfig.NONE.withFiles(cert[0], cert[1])));
             WsClient a = WsClient.to(node.port()).tls().token(node.token("a")).connect();
             WsClient b = WsClient.to(node.port()).tls().token(node.token("b")).connect()) {
            a.subscribe("news");
            b.subscribe("news");
            node.server.node().connections().forEach(c -> assertThat(((Session) c).outbound().writesDirect()).isFalse());
            publishAndReceiveInOrder(a, b);
        }
    }

    /** The publisher's pushes to b go alone (b publishes nothing, so no ack shares their frame). */
    private static void publishAndReceiveInOrder(WsClient a, WsClient b) throws Exception {
        int n = 500;
        for (int k = 0; k < n; k++) {
            a.publish("news", "{\"k\":" + k + "}");
        }
        List<String> expected = java.util.stream.IntStream.range(0, n).mapToObj(k -> "{\"k\":" + k + "}").toList();
        for (WsClient c : List.of(a, b)) {
            assertThat(c.messages(n, Duration.ofSeconds(20))).extracting(Envelope::payloadText)
                    .containsExactlyElementsOf(expected);
        }
    }
}
