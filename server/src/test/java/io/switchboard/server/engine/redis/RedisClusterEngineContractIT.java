package io.switchboard.server.engine.redis;

import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.EngineContract;
import io.switchboard.server.testing.ExternalServer;
import io.switchboard.server.testing.RedisClusterServers;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The engine contract against the Redis engine on a Redis Cluster ({@code redis-cluster://}) of three
 * primaries that this class creates: every engine made is a node of one Switchboard cluster, its channels
 * spread over the three Redis nodes by hash slot, live messages by classic pub/sub across them.
 */
class RedisClusterEngineContractIT extends EngineContract {

    private static RedisClusterServers cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisClusterServers.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @BeforeEach
    void flush() throws Exception {
        for (ExternalServer n : cluster.nodes) {
            n.redisQuery("FLUSHALL");
        }
    }

    @Override
    protected Engine newEngine() {
        return new RedisEngine(List.of(cluster.url()), null);
    }

    @Override
    public boolean sharesState() {
        return true;
    }

    @Override
    protected String expectedName() {
        return "redis";
    }
}
