package io.switchboard.server.engine;

/** A user's first connection joined a channel ({@code online}) or its last one left ({@code offline}). */
public record PresenceUpdate(String channel, String userId, boolean online, long timestamp) {
}
