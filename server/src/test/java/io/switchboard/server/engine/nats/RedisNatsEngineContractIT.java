package io.switchboard.server.engine.nats;

import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.EngineContract;
import io.switchboard.server.engine.redis.RedisEngine;
import io.switchboard.server.testing.ExternalServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The engine contract against the Redis engine with NATS carrying live messages and control: every
 * engine made is a node of one cluster, sharing a real {@code redis-server} and {@code nats-server} that
 * this class starts.
 */
class RedisNatsEngineContractIT extends EngineContract {

    private static ExternalServer redis;
    private static ExternalServer nats;

    @BeforeAll
    static void startServers() throws Exception {
        redis = ExternalServer.redis();
        nats = ExternalServer.nats();
    }

    @AfterAll
    static void stopServers() throws Exception {
        try (ExternalServer r = redis; ExternalServer n = nats) {
            // closed in reverse order
        }
    }

    @BeforeEach
    void flush() throws Exception {
        redis.redisCommand("FLUSHALL");
    }

    @Override
    protected Engine newEngine() {
        return new RedisEngine(List.of(redis.url()), new NatsBroker(nats.url()));
    }

    @Override
    public boolean sharesState() {
        return true;
    }

    @Override
    protected String expectedName() {
        return "redis+nats";
    }
}
