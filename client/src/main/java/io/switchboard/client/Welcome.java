package io.switchboard.client;

import java.time.Duration;
import java.time.Instant;

/**
 * The server's {@code welcome}: who this connection is and the numbers it must live by. Immutable.
 *
 * @param sessionId         the connection's id on the server (appears in the server's logs)
 * @param userId            the token's subject; empty for an anonymous connection
 * @param server            {@code switchboard/<version>}
 * @param heartbeatInterval time between server pings
 * @param heartbeatTimeout  time the server allows for a pong; the client treats a connection silent for
 *                          interval + timeout as dead
 * @param maxFrameBytes     the largest frame the server accepts from this client
 * @param maxChannels       the most channels one connection may follow
 * @param expiresAt         when the server ends the connection because the token expires; null if never
 * @param json              the whole welcome payload, as sent
 */
public record Welcome(String sessionId, String userId, String server, Duration heartbeatInterval,
                      Duration heartbeatTimeout, int maxFrameBytes, int maxChannels, Instant expiresAt, String json) {

    static Welcome parse(byte[] payload) {
        JsonTree.Node n = payload == null ? JsonTree.parse("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)) : JsonTree.parse(payload);
        JsonTree.Node hb = n.get("heartbeat");
        JsonTree.Node limits = n.get("limits");
        long interval = hb == null ? 25_000 : hb.longValue("intervalMs", 25_000);
        long timeout = hb == null ? 10_000 : hb.longValue("timeoutMs", 10_000);
        long maxFrame = limits == null ? 65_536 : limits.longValue("maxFrameBytes", 65_536);
        long maxChannels = limits == null ? 128 : limits.longValue("maxChannels", 128);
        Long expires = n.longValue("expiresAt");
        return new Welcome(n.string("sessionId"), n.string("userId") == null ? "" : n.string("userId"), n.string("server"),
                Duration.ofMillis(interval), Duration.ofMillis(timeout), (int) Math.min(Integer.MAX_VALUE, maxFrame),
                (int) Math.min(Integer.MAX_VALUE, maxChannels), expires == null ? null : Instant.ofEpochMilli(expires),
                n.rawText());
    }
}
