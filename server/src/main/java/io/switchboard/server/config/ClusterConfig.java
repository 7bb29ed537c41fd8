package io.switchboard.server.config;

import java.util.List;

/**
 * Which engine holds the state nodes share, and which broker carries live messages between them.
 *
 * @param engine    {@code memory} (one node) or {@code redis}
 * @param redisUrls the Redis servers channels are sharded over (engine redis)
 * @param broker    {@code memory}, {@code redis} or {@code nats}; by default the engine's own
 * @param natsUrl   the NATS server (broker nats)
 */
public record ClusterConfig(String engine, List<String> redisUrls, String broker, String natsUrl) {

    public static final ClusterConfig MEMORY = new ClusterConfig("memory", List.of(), "memory", null);

    public ClusterConfig {
        redisUrls = redisUrls == null ? List.of() : List.copyOf(redisUrls);
    }

    /** A configuration that cannot run, in one sentence; null when it is fine. */
    public String problem() {
        if (!engine.equals("memory") && !engine.equals("redis")) {
            return "--engine must be memory or redis, not '" + engine + "'";
        }
        if (!broker.equals("memory") && !broker.equals("redis") && !broker.equals("nats")) {
            return "--broker must be redis or nats, not '" + broker + "'";
        }
        if (engine.equals("redis") && redisUrls.isEmpty()) {
            return "--engine redis needs --redis-url (e.g. redis://127.0.0.1:6379)";
        }
        if (engine.equals("memory") && !broker.equals("memory")) {
            return "--broker " + broker + " needs --engine redis: a cluster shares history, presence and offsets "
                    + "through Redis (see docs/cluster.md)";
        }
        if (engine.equals("redis") && broker.equals("memory")) {
            return "--broker memory cannot connect nodes; use redis or nats";
        }
        if (broker.equals("nats") && (natsUrl == null || natsUrl.isBlank())) {
            return "--broker nats needs --nats-url (e.g. nats://127.0.0.1:4222)";
        }
        for (String u : redisUrls) {
            if (!u.startsWith("redis://") && !u.startsWith("rediss://")) {
                return "--redis-url must start with redis:// or rediss://, not '" + u + "'";
            }
        }
        return null;
    }
}
