package io.switchboard.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.server.auth.TokenMinter;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the run's clients share: the one client thread ({@code loop}) on which all of them run, the
 * nodes' ports (fixed: a restarted node comes back on its port), tokens, the random source, the presence
 * watch, and a cross-check of contents: every subscriber that receives offset {@code n} of a channel's
 * epoch must receive the same publication there.
 */
final class Clients {

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final ScheduledExecutorService loop;
    final List<Integer> ports;
    final Random random;
    final PresenceWatch presence;
    private final TokenMinter minter;
    private final Map<String, String> tokens = new HashMap<>();
    private final Map<String, Map<Long, String>> firstSeen = new HashMap<>();
    long contentMismatches;
    final List<String> contentExamples = new ArrayList<>();

    Clients(ScheduledExecutorService loop, List<Integer> ports, long seed, String secret, long presenceTtlMillis) {
        this.loop = loop;
        this.ports = ports;
        this.random = new Random(seed);
        this.presence = new PresenceWatch(presenceTtlMillis);
        this.minter = new TokenMinter(secret.getBytes(StandardCharsets.UTF_8));
    }

    String token(String user) {
        return tokens.computeIfAbsent(user, u -> minter.mint(u, Duration.ofHours(6)));
    }

    /** A delivered message: the same (channel, epoch, offset) must always carry the same publication. */
    void seen(String channel, JsonNode message) {
        String key = message.path("payload").path("key").asText();
        long offset = message.path("offset").asLong();
        Map<Long, String> byOffset = firstSeen.computeIfAbsent(channel + " " + message.path("epoch").asText(), k -> new HashMap<>());
        String before = byOffset.putIfAbsent(offset, key);
        if (before != null && !before.equals(key)) {
            contentMismatches++;
            if (contentExamples.size() < OffsetCheck.EXAMPLES) {
                contentExamples.add(channel + " offset " + offset + ": " + before + " and " + key);
            }
        }
    }
}
