package io.switchboard.embedded;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Who a connection belongs to, as an {@link Authenticator} or a {@link ConnectHook} decided: the user id,
 * the channels the user may use in namespaces with {@code claim} access (names, or prefixes ending in
 * {@code *}), the JSON shown in presence, and when the connection's right to stay open ends.
 *
 * @param id        the user id; at most 255 bytes of UTF-8, no control characters
 * @param channels  channel names or {@code prefix*} patterns (a token's {@code channels} claim)
 * @param info      a JSON value shown in presence, or null
 * @param expiresAt when the connection is closed as expired (4005), or null for never
 */
public record User(String id, List<String> channels, String info, Instant expiresAt) {

    /** Checks the id and copies the list. */
    public User {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("a user id must not be empty");
        }
        channels = channels == null ? List.of() : List.copyOf(channels);
    }

    /** A user with an id only: no channel claims, no presence info, no expiry. */
    public static User of(String id) {
        return new User(id, List.of(), null, null);
    }

    /** This user with the given channel claims. */
    public User withChannels(List<String> channels) {
        return new User(id, channels, info, expiresAt);
    }

    /** This user with {@code infoJson} (a JSON value) shown in presence. */
    public User withInfo(String infoJson) {
        return new User(id, channels, infoJson, expiresAt);
    }

    /** This user with an expiry. */
    public User expiringAt(Instant at) {
        return new User(id, channels, info, at);
    }
}
