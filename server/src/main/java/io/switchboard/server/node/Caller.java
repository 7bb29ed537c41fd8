package io.switchboard.server.node;

import io.switchboard.server.auth.Principal;

/**
 * Who asks for a channel operation. A client connection is judged by its {@link Principal} against the
 * namespace's access levels; the server side (the server API, whose key the transport checked, and other
 * backend-facing doors) may do anything a namespace allows at all.
 *
 * @param principal the connection's principal, or null for the server side
 * @param clientId  the connection's session id, or null for the server side
 * @param clientAddress the client's IP address (behind a trusted proxy, the one it named), or null
 */
public record Caller(Principal principal, String clientId, String clientAddress) {

    private static final Caller SERVER = new Caller(null, null, null);

    /** The server side: the server API and other backend-facing doors. */
    public static Caller server() {
        return SERVER;
    }

    public static Caller client(Principal principal, String clientId) {
        return new Caller(principal, clientId, null);
    }

    public static Caller client(Principal principal, String clientId, String clientAddress) {
        return new Caller(principal, clientId, clientAddress);
    }

    public boolean isServer() {
        return principal == null;
    }

    /** The user id publications are attributed to: null for the server side and anonymous clients. */
    public String from() {
        return principal == null || principal.anonymous() ? null : principal.userId();
    }

    /** True for a client with a token (it takes part in presence). */
    public boolean identified() {
        return principal != null && !principal.anonymous();
    }
}
