package io.switchboard.client;

/** Where a {@link SwitchboardClient} is in its life. */
public enum ConnectionState {
    /** Built, {@link SwitchboardClient#connect()} not called yet. */
    IDLE,
    /** Fetching a token, opening the socket, or waiting for the {@code welcome}. */
    CONNECTING,
    /** The {@code welcome} arrived: commands flow. */
    CONNECTED,
    /** The connection was lost and a reconnect is scheduled. */
    DISCONNECTED,
    /**
     * Stopped for good: {@link SwitchboardClient#close()} was called, or the server ended the connection
     * with a code that must not be retried (4500-4999, 1000, 1002, 1007, 1009). After a server-side stop,
     * {@link SwitchboardClient#connect()} may be called again once something changed (e.g. the token).
     */
    CLOSED
}
