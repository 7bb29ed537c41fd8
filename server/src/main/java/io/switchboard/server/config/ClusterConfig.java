package io.switchboard.server.config;

import java.util.List;

/**
 * Which engine holds the state nodes share, and which broker carries live messages between them. Checked
 * when built: a combination that cannot run throws {@link InvalidConfigException} naming the option at
 * fault, so that a URL given for an engine or broker that is not used is refused rather than ignored.
 *
 * @param engine    {@code memory} (one node) or {@code redis}
 * @param redisUrls the Redis servers channels are sharded over (engine redis only)
 * @param broker    {@code memory}, {@code redis} or {@code nats}; null: the engine's own
 * @param natsUrl   the NATS server (broker nats only)
 */
public record ClusterConfig(String engine, List<String> redisUrls, String broker, String natsUrl) {

    public static final ClusterConfig MEMORY = new ClusterConfig("memory", List.of(), "memory", null);

    public ClusterConfig {
        engine = engine == null ? "memory" : engine;
        redisUrls = redisUrls == null ? List.of()
                : redisUrls.stream().map(String::trim).filter(u -> !u.isEmpty()).toList();
        broker = broker == null || broker.isEmpty() ? engine : broker;
        natsUrl = natsUrl == null || natsUrl.isBlank() ? null : natsUrl.trim();
        check(engine, redisUrls, broker, natsUrl);
    }

    private static void check(String engine, List<String> redisUrls, String broker, String natsUrl) {
        if (!engine.equals("memory") && !engine.equals("redis")) {
            throw new InvalidConfigException("engine", "must be memory or redis");
        }
        if (!broker.equals("memory") && !broker.equals("redis") && !broker.equals("nats")) {
            throw new InvalidConfigException("broker", "must be redis or nats");
        }
        if (engine.equals("redis") && redisUrls.isEmpty()) {
            throw new InvalidConfigException("engine", "needs --redis-url (e.g. redis://127.0.0.1:6379)");
        }
        if (engine.equals("memory") && !redisUrls.isEmpty()) {
            throw new InvalidConfigException("redis-url", "needs --engine redis: the memory engine would ignore it");
        }
        if (engine.equals("memory") && !broker.equals("memory")) {
            throw new InvalidConfigException("broker", "needs --engine redis: a cluster shares history, presence and "
                    + "offsets through Redis (see docs/cluster.md)");
        }
        if (engine.equals("redis") && broker.equals("memory")) {
            throw new InvalidConfigException("broker", "cannot connect nodes; use redis or nats");
        }
        if (broker.equals("nats") && natsUrl == null) {
            throw new InvalidConfigException("broker", "needs --nats-url (e.g. nats://127.0.0.1:4222)");
        }
        if (natsUrl != null && !broker.equals("nats")) {
            throw new InvalidConfigException("nats-url", "needs --broker nats: the " + broker + " broker would ignore it");
        }
        for (String u : redisUrls) {
            if (!u.startsWith("redis://") && !u.startsWith("rediss://")) {
                throw new InvalidConfigException("redis-url", "must start with redis:// or rediss://");
            }
        }
        if (natsUrl != null && !natsUrl.startsWith("nats://") && !natsUrl.startsWith("tls://")) {
            throw new InvalidConfigException("nats-url", "must start with nats:// or tls://");
        }
    }

    /**
     * Always null: a ClusterConfig that exists has passed its checks. Kept for callers written when the
     * checks ran later.
     */
    public String problem() {
        return null;
    }
}
