package io.switchboard.server.transport;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.server.auth.TokenMinter;
import io.switchboard.server.engine.Engine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The plain HTTP routes of a node. Stateless apart from the node's flags; safe on any event loop. */
final class HttpRoutes {

    record Response(HttpResponseStatus status, String contentType, byte[] body) {
        static Response json(HttpResponseStatus status, byte[] body) {
            return new Response(status, "application/json", body);
        }
    }

    static final Duration DEMO_TOKEN_TTL = Duration.ofHours(12);
    private static final Pattern DEMO_USER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final Engine engine;
    private final TokenMinter minter;
    private final boolean demoTokens;
    private final StaticAssets assets = new StaticAssets();
    // Set once when the node starts draining; read by any event loop.
    private volatile boolean draining;
    private java.util.function.Supplier<Map<String, io.switchboard.server.consumer.Consumers.Status>> consumers = Map::of;

    HttpRoutes(Engine engine, TokenMinter minter, boolean demoTokens) {
        this.engine = engine;
        this.minter = minter;
        this.demoTokens = demoTokens;
    }

    /** Where {@code /readyz} reads the consumers' status (docs/consumers.md). */
    void consumers(java.util.function.Supplier<Map<String, io.switchboard.server.consumer.Consumers.Status>> status) {
        this.consumers = status;
    }

    void startDraining() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    Response handle(String path, Map<String, List<String>> query) {
        switch (path) {
            case "/healthz":
                return Response.json(HttpResponseStatus.OK, io.switchboard.server.util.Json.object(g -> g.writeStringField("status", "ok")));
            case "/readyz":
                return ready();
            case "/demo/token":
                return demoToken(query);
            case "/admin":
                return asset("/admin.html");
            default:
                return asset(path);
        }
    }

    private Response asset(String path) {
        StaticAssets.Asset a = assets.find(path);
        if (a == null) {
            return Response.json(HttpResponseStatus.NOT_FOUND, HttpRequestHandler.error("not_found", "no such path: " + clip(path)));
        }
        return new Response(HttpResponseStatus.OK, a.contentType(), a.body());
    }

    /** {@code /metrics}: every meter in the Prometheus text format. */
    static Response metrics(io.switchboard.server.metrics.Metrics metrics) {
        return new Response(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private Response ready() {
        boolean engineUp = engine.isReady();
        String status = draining ? "draining" : engineUp ? "ready" : "engine_unavailable";
        HttpResponseStatus code = status.equals("ready") ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE;
        return Response.json(code, io.switchboard.server.util.Json.object(g -> {
            g.writeStringField("status", status);
            g.writeStringField("engine", engine.name());
            g.writeBooleanField("engineReachable", engineUp);
            g.writeBooleanField("acceptingConnections", !draining);
            // A consumer that cannot reach its source is reported here, but does not make the node unready:
            // the WebSocket side works without it, and the source keeps what was not read.
            Map<String, io.switchboard.server.consumer.Consumers.Status> cs = consumers.get();
            if (!cs.isEmpty()) {
                g.writeObjectFieldStart("consumers");
                for (Map.Entry<String, io.switchboard.server.consumer.Consumers.Status> e : cs.entrySet()) {
                    g.writeObjectFieldStart(e.getKey());
                    g.writeBooleanField("reachable", e.getValue().reachable());
                    if (e.getValue().problem() != null) {
                        g.writeStringField("problem", e.getValue().problem());
                    }
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
        }));
    }

    private Response demoToken(Map<String, List<String>> query) {
        if (!demoTokens) {
            return Response.json(HttpResponseStatus.FORBIDDEN, HttpRequestHandler.error("forbidden",
                    "this node does not hand out demo tokens (they are only minted on a loopback bind or with --demo-tokens on, "
                    + "and only when the node accepts its own HS256 secret)"));
        }
        List<String> users = query.get("user");
        String user = users == null || users.isEmpty() ? null : users.get(0);
        if (user == null || !DEMO_USER.matcher(user).matches()) {
            return Response.json(HttpResponseStatus.BAD_REQUEST, HttpRequestHandler.error("bad_request",
                    "user must be 1 to 64 letters, digits, '_', '-' or '.'"));
        }
        String token = minter.mint(user, DEMO_TOKEN_TTL);
        long expiresAt = System.currentTimeMillis() + DEMO_TOKEN_TTL.toMillis();
        return Response.json(HttpResponseStatus.OK, io.switchboard.server.util.Json.object(g -> {
            g.writeStringField("token", token);
            g.writeStringField("userId", user);
            g.writeNumberField("expiresAt", expiresAt);
        }));
    }

    private static String clip(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
