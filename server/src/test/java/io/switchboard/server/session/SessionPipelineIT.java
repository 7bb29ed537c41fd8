package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelPipeline;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.CompressionConfig;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session's connection has one WebSocket stage, its SessionHandler, which decodes the frames itself; with
 * permessage-deflate, Netty's decoder, aggregator and the inflater stay in front of it. Either way the
 * session's messages come and go.
 */
class SessionPipelineIT {

    private static List<String> stages(TestServer node) {
        List<Session> sessions = new ArrayList<>();
        node.server.node().connections().forEach(c -> sessions.add((Session) c));
        assertThat(sessions).hasSize(1);
        ChannelPipeline p = sessions.get(0).outbound().channel().pipeline();
        List<String> names = new ArrayList<>(p.names());
        names.removeIf(n -> n.startsWith("DefaultChannelPipeline$TailContext"));
        assertThat(p.get("session")).isInstanceOf(SessionHandler.class);
        return names;
    }

    private static void roundTrip(WsClient c) throws Exception {
        c.subscribe("news");
        c.publish("news", "{\"n\":1}");
        assertThat(c.messages(1, Duration.ofSeconds(10))).extracting(Envelope::payloadText).containsExactly("{\"n\":1}");
    }

    @Test
    void aPlainSessionsOnlyStageIsItsHandlerWhichDecodesTheFrames() throws Exception {
        try (TestServer node = TestServer.start(); WsClient c = node.client("a")) { // the welcome read
            assertThat(stages(node)).containsExactly("session");
            roundTrip(c);
        }
    }

    @Test
    void withDeflateNettysDecoderAndTheInflaterComeFirstAndHandItFrames() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().compression(new CompressionConfig(true, 256, 6)));
             WsClient c = WsClient.to(node.port()).token(node.token("a")).deflate().connect()) {
            c.awaitType(MessageType.WELCOME);
            assertThat(stages(node)).containsExactly("wsdecoder", "ws-aggregate", "ws-inflate", "session");
            roundTrip(c);
        }
    }
}
