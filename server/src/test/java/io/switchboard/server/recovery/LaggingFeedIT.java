package io.switchboard.server.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.engine.memory.MemoryEngine;
import io.switchboard.server.testing.LaggingEngine;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node whose live feed is behind the stream, as in a cluster: a subscribe's history read sees offsets
 * that the node's live feed delivers only later. Those late frames must not reach the client a second time
 * (after a recovery) or below the ack's offset (after a plain subscribe): the first live frame is the one
 * after the ack's offset. Issue 12, item 1.
 */
class LaggingFeedIT {

    static final long LAG_MILLIS = 1000;

    @Test
    void framesTheHistoryReadAlreadyCoveredAreNotPassedOnWhenTheLiveFeedCatchesUp() throws Exception {
        Namespaces ns = Namespaces.builder().put(NamespaceConfig.plain("lag").withHistory(100, Duration.ofMinutes(10))).build();
        try (TestServer node = TestServer.start(TestServer.config().namespaces(ns), new LaggingEngine(new MemoryEngine(), LAG_MILLIS));
             WsClient pub = node.client("pub");
             WsClient first = node.client("first")) {
            // The publisher follows the channel too, so this node stays subscribed to it throughout.
            assertThat(pub.subscribe("lag:room").type()).isEqualTo(MessageType.ACK);
            assertThat(first.subscribe("lag:room").type()).isEqualTo(MessageType.ACK);
            for (int i = 1; i <= 2; i++) {
                assertThat(pub.publish("lag:room", Integer.toString(i)).type()).isEqualTo(MessageType.ACK);
            }
            List<Envelope> firstTwo = first.messages(2, Duration.ofSeconds(10));
            String epoch = firstTwo.get(1).epoch();
            first.close();

            // 3..5 are stored at once, but reach this node's subscribers only LAG_MILLIS later.
            for (int i = 3; i <= 5; i++) {
                assertThat(pub.publish("lag:room", Integer.toString(i)).type()).isEqualTo(MessageType.ACK);
            }
            try (WsClient recovering = node.client("first");
                 WsClient plain = node.client("plain")) {
                Envelope rack = recovering.call("subscribe", "lag:room", RecoveryIT.since(epoch, 2));
                Envelope pack = plain.call("subscribe", "lag:room", null);
                assertThat(rack.payloadText()).contains("\"recovered\":true");
                assertThat(RecoveryIT.offsetOf(rack)).isEqualTo(5);
                assertThat(RecoveryIT.offsetOf(pack)).isEqualTo(5);
                // The sentinel: published after the lagging copies of 3..5, so it arrives after them.
                assertThat(pub.publish("lag:room", "6").type()).isEqualTo(MessageType.ACK);

                assertThat(offsetsUntil(recovering, 6)).containsExactly(3L, 4L, 5L, 6L);
                assertThat(offsetsUntil(plain, 6)).containsExactly(6L);
            }
        }
    }

    /** Offsets of the message pushes a client got, up to and including {@code last}. */
    static List<Long> offsetsUntil(WsClient c, long last) throws InterruptedException {
        List<Long> got = new ArrayList<>();
        while (got.isEmpty() || got.get(got.size() - 1) != last) {
            Envelope e = c.await(x -> x.type() == MessageType.MESSAGE, Duration.ofSeconds(10));
            assertThat(e).as("message pushes after %s", got).isNotNull();
            got.add(e.offset());
        }
        return got;
    }
}
