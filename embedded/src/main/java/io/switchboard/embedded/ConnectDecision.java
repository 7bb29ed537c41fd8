package io.switchboard.embedded;

import java.util.Objects;

/**
 * The answer of an {@link Authenticator} or a connect hook: open the connection as a user, open it
 * anonymously (only when the node allows anonymous connections), or refuse it. A refused client gets an
 * {@code error} with code {@code unauthorized} and the protocol's close code for it, with the reason as
 * the message: write reasons for the client, not for logs.
 */
public final class ConnectDecision {

    private static final ConnectDecision ANONYMOUS = new ConnectDecision(null, null);

    private final User user;
    private final String refusal;

    private ConnectDecision(User user, String refusal) {
        this.user = user;
        this.refusal = refusal;
    }

    /** Open the connection as {@code user}. */
    public static ConnectDecision allow(User user) {
        return new ConnectDecision(Objects.requireNonNull(user, "user"), null);
    }

    /** Open the connection without a user (refused unless anonymous connections are allowed). */
    public static ConnectDecision anonymous() {
        return ANONYMOUS;
    }

    /** Refuse the connection; {@code reason} is sent to the client. */
    public static ConnectDecision refuse(String reason) {
        return new ConnectDecision(null, Objects.requireNonNull(reason, "reason"));
    }

    /** The user to open the connection as; null when anonymous or refused. */
    public User user() {
        return user;
    }

    /** Why the connection is refused; null when it is admitted. */
    public String refusal() {
        return refusal;
    }

    /** True when the connection is refused. */
    public boolean refused() {
        return refusal != null;
    }
}
