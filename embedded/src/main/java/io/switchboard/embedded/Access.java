package io.switchboard.embedded;

/** Who may do something in a namespace (docs/protocol.md, namespaces). */
public enum Access {
    /** Anyone connected, with or without a token. */
    ANONYMOUS,
    /** Connections with a user. */
    AUTHENTICATED,
    /** Users whose {@link User#channels()} name the channel (exactly or by a {@code prefix*}). */
    CLAIM,
    /** No client; the server side still may. */
    NONE
}
