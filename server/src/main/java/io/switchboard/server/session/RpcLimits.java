package io.switchboard.server.session;

import io.switchboard.server.config.HooksConfig;
import io.switchboard.server.util.TokenBucket;
import java.util.HashMap;
import java.util.Map;

/**
 * One connection's rpc rates ({@code hooks.rpc-limits}): a bucket per named method, and one shared bucket for
 * every other method when {@code "*"} is given. Buckets are made on first use, so a connection holds at most
 * one per configured entry however many method names its client invents. Event loop only.
 */
final class RpcLimits {

    private final Map<String, HooksConfig.RateLimit> limits;
    private Map<String, TokenBucket> buckets; // created on first limited call

    RpcLimits(Map<String, HooksConfig.RateLimit> limits) {
        this.limits = limits;
    }

    /** Whether a call of {@code method} at {@code nowNanos} is within its rate (and takes from it if so). */
    boolean tryTake(String method, long nowNanos) {
        if (limits.isEmpty()) {
            return true;
        }
        String key = limits.containsKey(method) ? method : "*";
        HooksConfig.RateLimit limit = limits.get(key);
        if (limit == null) {
            return true;
        }
        if (buckets == null) {
            buckets = new HashMap<>(4);
        }
        return buckets.computeIfAbsent(key, k -> new TokenBucket(limit.perSecond(), limit.burst(), nowNanos)).tryTake(nowNanos);
    }
}
