package io.switchboard.server.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * A Sentinel-managed Redis of the test's own: a primary, one replica ({@code --replicaof}) and three
 * Sentinels ({@code redis-server FILE --sentinel}, quorum 2) on free loopback ports. Ready once the replica
 * is in sync and every Sentinel knows the replica and can reach a quorum.
 */
public final class RedisSentinelServers implements AutoCloseable {

    public static final String MASTER = "sbprimary";

    /** The two data servers; which one is the primary changes with each failover ({@link #primary()}). */
    public final List<ExternalServer> servers = new ArrayList<>();
    public final List<ExternalServer> sentinels = new ArrayList<>();

    private RedisSentinelServers() {
    }

    public static RedisSentinelServers start() throws Exception {
        RedisSentinelServers s = new RedisSentinelServers();
        try {
            ExternalServer primary = ExternalServer.redis();
            s.servers.add(primary);
            s.servers.add(ExternalServer.redis("--replicaof", "127.0.0.1", Integer.toString(primary.port())));
            for (int i = 0; i < 3; i++) {
                s.sentinels.add(ExternalServer.sentinel(primary, MASTER));
            }
            s.awaitHealthy(primary);
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The URL the nodes take: {@code redis-sentinel://127.0.0.1:a,127.0.0.1:b,127.0.0.1:c#sbprimary}. */
    public String url() {
        return "redis-sentinel://" + String.join(",", sentinels.stream().map(x -> "127.0.0.1:" + x.port()).toList()) + "#" + MASTER;
    }

    /** The server every Sentinel names as the primary now (they agree once a failover is over). */
    public ExternalServer primary() throws IOException {
        String port = null;
        for (ExternalServer sentinel : sentinels) {
            String[] addr = sentinel.redisQuery("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER).split("\n");
            if (port != null && !port.equals(addr[1])) {
                return null;
            }
            port = addr[1];
        }
        for (ExternalServer x : servers) {
            if (Integer.toString(x.port()).equals(port)) {
                return x;
            }
        }
        return null;
    }

    /**
     * Waits until {@code primary} is the primary for every Sentinel, the other server replicates it with
     * its link up, and every Sentinel knows that replica and two other Sentinels.
     */
    public void awaitHealthy(ExternalServer primary) {
        ExternalServer replica = servers.get(0) == primary ? servers.get(1) : servers.get(0);
        Awaitility.await("a healthy primary, replica and three Sentinels").atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                    if (primary() != primary || !replica.redisQuery("INFO", "replication").contains("master_link_status:up")) {
                        return false;
                    }
                    for (ExternalServer sentinel : sentinels) {
                        if (!sentinel.redisQuery("SENTINEL", "CKQUORUM", MASTER).startsWith("+OK 3 usable")
                                || !sentinel.redisQuery("SENTINEL", "REPLICAS", MASTER).contains(Integer.toString(replica.port()))) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    @Override
    public void close() throws Exception {
        for (ExternalServer x : sentinels) {
            x.close();
        }
        for (ExternalServer x : servers) {
            x.close();
        }
    }
}
