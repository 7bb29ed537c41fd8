package io.switchboard.server.node;

import io.switchboard.server.config.ClusterConfig;
import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.memory.MemoryEngine;
import io.switchboard.server.engine.nats.NatsBroker;
import io.switchboard.server.engine.redis.RedisEngine;

/** Makes the engine a node's configuration asks for. */
public final class Engines {

    private Engines() {
    }

    public static Engine create(ClusterConfig c) {
        String problem = c.problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (c.engine().equals("memory")) {
            return new MemoryEngine();
        }
        return new RedisEngine(c.redisUrls(), c.broker().equals("nats") ? new NatsBroker(c.natsUrl()) : null);
    }
}
