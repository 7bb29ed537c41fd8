package io.switchboard.server.cli;

import io.switchboard.server.Version;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.transport.SwitchboardServer;

/** The start-up banner: where to point a browser, a client and a health check. */
final class Banner {

    private Banner() {
    }

    static String text(SwitchboardServer server) {
        ServerConfig c = server.config();
        String host = c.bind().equals("0.0.0.0") || c.bind().equals("::") ? "127.0.0.1" : c.bind();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        String base = host + ":" + server.port();
        String http = c.tls().enabled() ? "https://" : "http://";
        String ws = c.tls().enabled() ? "wss://" : "ws://";
        StringBuilder b = new StringBuilder();
        b.append("Switchboard ").append(Version.get()).append(" is running (")
                .append(server.transport()).append(", engine ").append(server.engine().name()).append(")\n");
        b.append("  Demo chat  ").append(http).append(base).append("/\n");
        b.append("  WebSocket  ").append(ws).append(base).append("/ws\n");
        b.append("  Health     ").append(http).append(base).append("/healthz   ready: ").append(http).append(base).append("/readyz\n");
        if (c.apiKeys().isEmpty()) {
            b.append("  API        off (give --api-key to open /api and the admin page)\n");
        } else {
            b.append("  API        ").append(http).append(base).append("/api   admin: ").append(http).append(base).append("/admin\n");
        }
        if (server.metricsPort() >= 0) {
            b.append("  Metrics    http://").append(c.metricsBind()).append(':').append(server.metricsPort()).append("/metrics\n");
        } else {
            b.append("  Metrics    ").append(http).append(base).append("/metrics")
                    .append(c.metricsNeedKey() ? " (API key required)" : "").append('\n');
        }
        if (server.tls() != null) {
            b.append("  TLS        ").append(c.tls().cert()).append(" via ").append(server.tls().providerName())
                    .append("; TLS 1.3/1.2; reloaded on change or SIGHUP\n");
        }
        b.append("  Auth       JWT HS256").append(server.secretGenerated()
                ? " with a secret generated for this run (set --jwt-secret to mint tokens with `switchboard token`)"
                : " with the configured secret");
        b.append("; anonymous ").append(c.allowAnonymous() ? "allowed" : "refused");
        b.append("; demo tokens ").append(c.demoTokensEnabled() ? "on" : "off").append('\n');
        if (!c.isLoopbackBind() && !c.tls().enabled()) {
            b.append("  Note       bound to ").append(c.bind()).append(" without TLS (--behind-tls-proxy): the proxy in front must terminate TLS\n");
        }
        return b.toString();
    }
}
