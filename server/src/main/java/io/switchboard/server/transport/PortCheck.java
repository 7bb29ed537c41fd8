package io.switchboard.server.transport;

import io.switchboard.server.config.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Finds out, before a node spends seconds on its warm-up ({@link WarmUp}), whether it will be able to listen:
 * each port it will bind ({@code port}, and {@code metricsPort} when it is a separate one) is bound for a
 * moment and let go. A port another process holds, or an address this machine does not have, throws the
 * {@link IllegalStateException} the node's own start would throw, with the same message. Port 0 is always
 * free. The node binds again afterwards; this only moves the error earlier.
 */
public final class PortCheck {

    private PortCheck() {
    }

    /** Throws {@link IllegalStateException} ("cannot listen on ADDRESS:PORT: why") when a port of {@code cfg} is taken. */
    public static void free(ServerConfig cfg) {
        free(cfg.bind(), cfg.port(), "cannot listen on ");
        if (cfg.metricsPort() > 0) {
            free(cfg.metricsBind(), cfg.metricsPort(), "cannot listen for metrics on ");
        }
    }

    static void free(String host, int port, String what) {
        if (port == 0) {
            return;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as the node's own socket: a port with connections in TIME_WAIT is free
            s.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException(what + host + ":" + port + ": " + why(e.getMessage()), e);
        }
    }

    /** A bind error's reason, in the words the node's messages use. */
    static String why(String message) {
        return message != null && message.contains("in use") ? "the address is already in use" : String.valueOf(message);
    }
}
