package io.switchboard.server.config;

import java.util.List;

/**
 * Which engine holds the state nodes share, and which broker carries live messages between them. Checked
 * when built: a combination that cannot run throws {@link InvalidConfigException} naming the option at
 * fault, so that a URL given for an engine or broker that is not used is refused rather than ignored.
 *
 * @param engine    {@code memory} (one node) or {@code redis}
 * @param redisUrls the Redis servers channels are sharded over (engine redis only): {@code redis://} or
 *                  {@code rediss://} servers and {@code redis-sentinel://} primaries, or one {@code redis-cluster://}
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
            String problem = redisUrlProblem(u);
            if (problem != null) {
                throw new InvalidConfigException("redis-url", problem);
            }
            if (u.startsWith(REDIS_CLUSTER) && redisUrls.size() > 1) {
                throw new InvalidConfigException("redis-url", "must be the only --redis-url when it is a redis-cluster:// URL: "
                        + "a Redis Cluster spreads the channels over its own nodes");
            }
        }
        if (natsUrl != null && !natsUrl.startsWith("nats://") && !natsUrl.startsWith("tls://")) {
            throw new InvalidConfigException("nats-url", "must start with nats:// or tls://");
        }
    }

    /** The scheme of a Sentinel-managed Redis: {@code redis-sentinel://[[user]:password@]host[:port][,host[:port]...][/db]#master}. */
    public static final String REDIS_SENTINEL = "redis-sentinel://";
    /** The scheme of a Redis Cluster: {@code redis-cluster://[[user]:password@]host:port[,host:port...]} (seed nodes). */
    public static final String REDIS_CLUSTER = "redis-cluster://";

    /**
     * What is wrong with one {@code --redis-url}, as a predicate after the option's name, or null when it is
     * usable. Never repeats the URL (it may hold a password).
     */
    static String redisUrlProblem(String u) {
        if (u.startsWith("redis://") || u.startsWith("rediss://")) {
            return null;
        }
        boolean sentinel = u.startsWith(REDIS_SENTINEL);
        if (!sentinel && !u.startsWith(REDIS_CLUSTER)) {
            return "must start with redis://, rediss://, redis-sentinel:// or redis-cluster://";
        }
        String example = sentinel ? "redis-sentinel://10.0.0.1:26379,10.0.0.2:26379#mymaster"
                : "redis-cluster://10.0.0.1:6379,10.0.0.2:6379";
        String rest = u.substring((sentinel ? REDIS_SENTINEL : REDIS_CLUSTER).length());
        if (sentinel) {
            int hash = rest.indexOf('#');
            if (hash < 0 || hash == rest.length() - 1) {
                return "needs the name of the Sentinel-monitored primary after # (e.g. " + example + ")";
            }
            rest = rest.substring(0, hash);
            int slash = rest.indexOf('/');
            if (slash >= 0) {
                if (!rest.substring(slash + 1).matches("\\d{1,2}")) {
                    return "may only have a database number after the hosts (e.g. /0)";
                }
                rest = rest.substring(0, slash);
            }
        } else if (rest.contains("#") || rest.contains("/") || rest.contains("?")) {
            return "takes only seed nodes, host:port separated by commas (e.g. " + example + ")";
        }
        int at = rest.lastIndexOf('@');
        String hosts = at < 0 ? rest : rest.substring(at + 1);
        if (hosts.isEmpty()) {
            return "needs at least one host (e.g. " + example + ")";
        }
        for (String h : hosts.split(",", -1)) {
            String hostPort = "(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9_.-]+)";
            if (!h.matches(hostPort + (sentinel ? "(:\\d{1,5})?" : ":\\d{1,5}"))
                    || (h.matches(".*:\\d+") && !validPort(h.substring(h.lastIndexOf(':') + 1)))) {
                return "has a host that is not host" + (sentinel ? "[:port]" : ":port") + " (e.g. " + example + ")";
            }
        }
        return null;
    }

    private static boolean validPort(String p) {
        int n = Integer.parseInt(p);
        return n >= 1 && n <= 65535;
    }

    /**
     * Always null: a ClusterConfig that exists has passed its checks. Kept for callers written when the
     * checks ran later.
     */
    public String problem() {
        return null;
    }
}
