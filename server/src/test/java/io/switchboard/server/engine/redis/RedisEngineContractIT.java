package io.switchboard.server.engine.redis;

import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.EngineContract;
import io.switchboard.server.testing.ExternalServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The engine contract against the Redis engine with Redis pub/sub: every engine made is a node of one
 * cluster, sharing a real {@code redis-server} that this class starts (and flushes before each test).
 */
class RedisEngineContractIT extends EngineContract {

    private static ExternalServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = ExternalServer.redis();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @BeforeEach
    void flush() throws Exception {
        redis.redisCommand("FLUSHALL");
    }

    @Override
    protected Engine newEngine() {
        return new RedisEngine(List.of(redis.url()), null);
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
