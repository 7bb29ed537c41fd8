package io.switchboard.server.node;

import io.switchboard.server.auth.Principal;

/**
 * Who asks for a channel operation. A client connection is judged by its {@link Principal} against the
 * namespace's access levels; the server side (the server API, whose key the transport checked, and other
 * backend-facing doors) may do anything a namespace allows at all.
 *
 * <p>A <em>vouched</em> client is a connection of a front door that checked its rights itself, the way its
 * protocol prescribes (the Pusher door checks the app's signature on every private and presence
 * subscription): namespace access levels do not apply to it, but it is still a client, with a principal
 * (presence) and a connection id (publications it makes carry it, so that it can skip them).
 *
 * @param principal     the connection's principal, or null for the server side
 * @param clientId      the connection's session id, or null for the server side; for a vouched caller, the
 *                      connection its publications are attributed to (and not delivered back to), or null
 * @param clientAddress the client's IP address (behind a trusted proxy, the one it named), or null
 * @param vouched       true for a client whose front door has checked its rights itself
 * @param headers       the handshake headers the application's decisions asked to keep ({@link Hooks#keep}),
 *                      lower-case names; empty for most callers
 */
public record Caller(Principal principal, String clientId, String clientAddress, boolean vouched,
                     java.util.Map<String, java.util.List<String>> headers) {

    private static final Caller SERVER = new Caller(null, null, null, false);

    public Caller {
        headers = headers == null ? java.util.Map.of() : headers;
    }

    public Caller(Principal principal, String clientId, String clientAddress, boolean vouched) {
        this(principal, clientId, clientAddress, vouched, java.util.Map.of());
    }

    /** The server side: the server API and other backend-facing doors. */
    public static Caller server() {
        return SERVER;
    }

    public static Caller client(Principal principal, String clientId) {
        return new Caller(principal, clientId, null, false);
    }

    public static Caller client(Principal principal, String clientId, String clientAddress) {
        return new Caller(principal, clientId, clientAddress, false);
    }

    /** A client with the handshake headers the application's decisions keep ({@link Hooks#keep}). */
    public static Caller client(Principal principal, String clientId, String clientAddress,
                                java.util.Map<String, java.util.List<String>> headers) {
        return new Caller(principal, clientId, clientAddress, false, headers);
    }

    /** A client of a front door that checked its rights itself (see the class comment). */
    public static Caller vouched(Principal principal, String clientId) {
        return new Caller(principal, clientId, null, true);
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
