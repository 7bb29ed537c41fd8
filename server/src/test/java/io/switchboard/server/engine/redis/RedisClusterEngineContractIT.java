package io.switchboard.server.engine.redis;

import io.lettuce.core.cluster.SlotHash;
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

    /**
     * Each channel's script publishes on the Redis node that owns the channel's slot, and the cluster bus
     * brings two Redis nodes' messages to a third with no order between them: two channels keep one
     * publisher's order only within one slot. So the sentinel is a name in {@code channel}'s slot.
     */
    @Override
    public String channelBeside(String channel, String what) {
        int slot = SlotHash.getSlot(RedisEngine.key("m", channel));
        for (int i = 0; ; i++) {
            String candidate = channel(what + i);
            if (SlotHash.getSlot(RedisEngine.key("m", candidate)) == slot) {
                return candidate;
            }
        }
    }

    @Override
    protected String expectedName() {
        return "redis";
    }
}
