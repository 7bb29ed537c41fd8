package io.switchboard.server.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.config.PusherApp;
import io.switchboard.server.node.Caller;
import io.switchboard.server.pusher.PusherProtocolIT.Raw;
import io.switchboard.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Pusher client that stops reading while its channel floods: the node closes it as a slow consumer
 * (pusher:error 4100, then the close frame) once its queue passes {@code --max-queued-bytes}, and the
 * other subscriber of the channel keeps receiving. With the JDK's WebSocket client, which stops reading
 * the socket while nothing is asked of it.
 */
class PusherSlowConsumerIT {

    static final PusherApp APP = PusherProtocolIT.APP;

    @Test
    void aStalledPusherClientIsClosedWith4100AndTheOtherKeepsReceiving() throws Exception {
        try (TestServer node = TestServer.start(TestServer.config().pusherApps(List.of(APP)).maxQueuedBytes(256 * 1024))) {
            String internal = APP.namespace() + ":flood";
            Raw healthy = subscribed(node, "healthy");
            Raw stalled = subscribed(node, "stalled");
            stalled.pause();
            String data = "x".repeat(1000);
            byte[] event = ("{\"event\":\"flood\",\"data\":\"" + data + "\"}").getBytes(StandardCharsets.UTF_8);
            int healthyGot = 0;
            int published = 0;
            // At most 128 MiB, 512 times the bound: the socket buffers take a few MiB before the queue grows.
            // The node is paced by the healthy reader, at most 32 events ahead of it.
            while (published < 128 * 1024 && node.server.hub().subscriberCount(internal) == 2) {
                node.server.node().channels().publish(Caller.server(), internal, event, null, System.nanoTime()).join();
                published++;
                while (published - healthyGot > 32) {
                    healthy.next("flood");
                    healthyGot++;
                }
            }
            assertThat(node.server.hub().subscriberCount(internal)).as("the stalled client left the channel").isEqualTo(1);
            stalled.resume();
            // It reads what its socket held, then Pusher's error and the close frame.
            assertThat(stalled.next("pusher:error")).contains("\"code\":4100");
            assertThat(stalled.closeCode()).isEqualTo(4100);
            byte[] after = "{\"event\":\"after\",\"data\":\"{}\"}".getBytes(StandardCharsets.UTF_8);
            node.server.node().channels().publish(Caller.server(), internal, after, null, System.nanoTime()).join();
            assertThat(healthy.next("after")).contains("\"channel\":\"flood\"");
        }
    }

    private static Raw subscribed(TestServer node, String client) throws InterruptedException {
        Raw r = Raw.connect(node.port(), "/app/key-a?protocol=7&client=" + client, true);
        r.next("pusher:connection_established");
        r.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"flood\"}}");
        r.next("pusher_internal:subscription_succeeded");
        return r;
    }
}
