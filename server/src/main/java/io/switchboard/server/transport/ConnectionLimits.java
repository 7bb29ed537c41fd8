package io.switchboard.server.transport;

import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.util.TokenBucket;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Node-wide connection limits: open sessions per user and per client address, and the rate of new
 * WebSocket upgrades per address. Thread-safe. The address is the one {@link ClientAddress} judged the
 * client by: behind a trusted proxy, the one the proxy named.
 */
final class ConnectionLimits implements io.switchboard.server.session.SessionHandler.Slots {

    private final ServerConfig config;
    private final ConcurrentHashMap<String, AtomicInteger> perUser = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> perIp = new ConcurrentHashMap<>();
    // Each bucket is used under its own monitor; idle full buckets are swept away.
    private final ConcurrentHashMap<String, TokenBucket> upgradeRate = new ConcurrentHashMap<>();

    ConnectionLimits(ServerConfig config) {
        this.config = config;
    }

    /** True when {@code ip} may attempt another upgrade now. */
    boolean tryUpgrade(String ip) {
        if (config.limits().newConnectionsPerSecondPerIp() <= 0) {
            return true;
        }
        long now = System.nanoTime();
        TokenBucket b = upgradeRate.computeIfAbsent(ip,
                k -> new TokenBucket(config.limits().newConnectionsPerSecondPerIp(), config.limits().newConnectionsBurstPerIp(), now));
        synchronized (b) {
            return b.tryTake(now);
        }
    }

    /** Reserves a session slot; null when granted, otherwise which limit was hit. */
    String tryOpen(String userId, boolean anonymous, String ip) {
        if (!reserve(perIp, ip, config.limits().maxConnectionsPerIp())) {
            return "this address already has " + config.limits().maxConnectionsPerIp() + " connections";
        }
        if (!anonymous && !reserve(perUser, userId, config.limits().maxConnectionsPerUser())) {
            release(perIp, ip);
            return "user " + userId + " already has " + config.limits().maxConnectionsPerUser() + " connections";
        }
        return null;
    }

    /** Gives back what {@link #tryOpen} reserved. */
    @Override
    public void closed(String userId, boolean anonymous, String ip) {
        release(perIp, ip);
        if (!anonymous) {
            release(perUser, userId);
        }
    }

    /** Forgets addresses whose upgrade buckets have refilled. */
    void sweep() {
        long now = System.nanoTime();
        upgradeRate.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return e.getValue().isFull(now);
            }
        });
    }

    private static boolean reserve(ConcurrentHashMap<String, AtomicInteger> map, String key, int max) {
        if (max <= 0) {
            return true;
        }
        boolean[] ok = {false};
        map.compute(key, (k, n) -> {
            AtomicInteger c = n == null ? new AtomicInteger() : n;
            if (c.get() < max) {
                c.incrementAndGet();
                ok[0] = true;
            }
            return c.get() == 0 ? null : c;
        });
        return ok[0];
    }

    private static void release(ConcurrentHashMap<String, AtomicInteger> map, String key) {
        map.computeIfPresent(key, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
}
