package io.switchboard.server.cluster;

import io.switchboard.server.config.ClusterConfig;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.engine.Engine;
import io.switchboard.server.node.Engines;
import io.switchboard.server.testing.LaggingEngine;
import io.switchboard.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;

/** Several in-process nodes sharing the test's own Redis (and NATS), each ready before it is handed out. */
final class Nodes implements AutoCloseable {

    final List<TestServer> list = new ArrayList<>();

    /**
     * @param lagMillis when above 0, the last node's live feed lags this far behind the streams (a slow
     *                  broker link): the case where a history read is ahead of the node's live delivery
     */
    static Nodes start(int n, ServerConfig config, String redisUrl, String natsUrl, long lagMillis) throws Exception {
        ClusterConfig cc = new ClusterConfig("redis", List.of(redisUrl), natsUrl == null ? "redis" : "nats", natsUrl);
        Nodes nodes = new Nodes();
        try {
            for (int i = 0; i < n; i++) {
                Engine engine = Engines.create(cc);
                if (lagMillis > 0 && i == n - 1) {
                    engine = new LaggingEngine(engine, lagMillis);
                }
                TestServer node = TestServer.start(config.cluster(cc), engine);
                nodes.list.add(node);
                Engine started = engine;
                Awaitility.await("node " + i + " ready").atMost(Duration.ofSeconds(30)).until(started::isReady);
            }
        } catch (Exception | Error e) {
            nodes.close();
            throw e;
        }
        return nodes;
    }

    TestServer get(int i) {
        return list.get(i);
    }

    int size() {
        return list.size();
    }

    @Override
    public void close() {
        list.forEach(TestServer::close);
    }
}
