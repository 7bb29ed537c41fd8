package io.switchboard.server.pusher;

import io.switchboard.server.config.ClusterConfig;
import io.switchboard.server.engine.Engine;
import io.switchboard.server.node.Engines;
import io.switchboard.server.testing.ExternalServer;
import io.switchboard.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The pusher-js and {@code pusher} SDK suite on two nodes sharing the test's own Redis: clients of one app
 * on both nodes, triggers through either, presence and member events across the nodes.
 */
class PusherClusterIT {

    @Test
    void theSuitePassesOnTwoNodesOverRedis() throws Exception {
        try (ExternalServer redis = ExternalServer.redis()) {
            ClusterConfig cc = new ClusterConfig("redis", List.of(redis.url()), "redis", null);
            Engine engineA = Engines.create(cc);
            Engine engineB = Engines.create(cc);
            try (TestServer a = TestServer.start(PusherJsIT.config().cluster(cc), engineA);
                 TestServer b = TestServer.start(PusherJsIT.config().cluster(cc), engineB)) {
                Awaitility.await("both nodes ready").atMost(Duration.ofSeconds(30)).until(() -> engineA.isReady() && engineB.isReady());
                PusherJsIT.runSuite(a.port(), b.port());
                PusherJsIT.runEcho(a.port(), b.port());
            }
        }
    }
}
