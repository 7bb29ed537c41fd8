package io.switchboard.server.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.switchboard.server.api.NodeStats;
import io.switchboard.server.api.ServerApi;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.auth.AuthException;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.deflate.PerMessageDeflate;
import io.switchboard.server.node.Node;
import io.switchboard.server.session.SessionHandler;
import io.switchboard.protocol.WireFormat;
import io.switchboard.server.util.Json;
import java.util.List;

/**
 * The HTTP side of a connection: the WebSocket upgrade at {@code /ws} (subprotocol and deflate choice,
 * in {@link UpgradeNegotiation}; token check, then the session pipeline) and the plain routes: health, readiness, demo tokens, static files.
 * One request at a time, with keep-alive and bounded pipelining ({@link PipelinedHttpHandler}).
 */
final class HttpRequestHandler extends PipelinedHttpHandler {

    static final String SUBPROTOCOL_V1 = WireFormat.JSON.subprotocol();

    private final Node node;
    private final HttpRoutes routes;
    private final OriginPolicy origins;
    private final ConnectionLimits limits;
    private final ServerApi api;
    private final NodeStats stats;
    private final io.switchboard.server.pusher.PusherDoor pusher; // null when no Pusher app is configured
    private final PerMessageDeflate deflate;
    // The server's set of channels it closes when it stops: an upgraded connection leaves it (the node's
    // connections close it), so that an open connection costs no entry there.
    private final io.netty.channel.group.ChannelGroup httpChannels;

    /** @param httpChannels the set of channels the server closes when it stops; an upgraded connection leaves it */
    HttpRequestHandler(Node node, HttpRoutes routes, OriginPolicy origins, ConnectionLimits limits,
                       ServerApi api, NodeStats stats, io.switchboard.server.pusher.PusherDoor pusher, PerMessageDeflate deflate,
                       io.netty.channel.group.ChannelGroup httpChannels) {
        this.httpChannels = httpChannels;
        this.pusher = pusher;
        this.deflate = deflate;
        this.node = node;
        this.routes = routes;
        this.origins = origins;
        this.limits = limits;
        this.api = api;
        this.stats = stats;
    }

    @Override
    boolean draining() {
        return routes.draining();
    }

    @Override
    void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            closeAfterAnswer();
            respond(ctx, req, HttpResponseStatus.BAD_REQUEST, error("bad_request", "malformed HTTP request"));
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = uri.path();
        if (path.equals("/ws")) {
            upgrade(ctx, req, uri);
            return;
        }
        if (path.equals("/api") || path.startsWith("/api/")) {
            api(ctx, req, uri, path.substring(4));
            return;
        }
        if (pusher != null && path.startsWith("/app/")) {
            pusherUpgrade(ctx, req, uri, path.substring("/app/".length()));
            return;
        }
        if (pusher != null && path.startsWith("/apps/")) {
            pusherApi(ctx, req, uri, path);
            return;
        }
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            respond(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, error("bad_request", "only GET and HEAD are served here"));
            return;
        }
        HttpRoutes.Response r;
        if (path.equals("/metrics")) {
            r = node.config().metricsPort() >= 0
                    ? HttpRoutes.Response.json(HttpResponseStatus.NOT_FOUND, error("not_found",
                            "metrics are served on their own port (--metrics-port " + node.config().metricsPort() + ")"))
                    : HttpRoutes.metrics(node.metrics());
        } else {
            r = routes.handle(path, uri.parameters());
        }
        FullHttpResponse res = new DefaultFullHttpResponse(req.protocolVersion(), r.status(),
                req.method() == HttpMethod.HEAD ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        res.headers().set("x-content-type-options", "nosniff");
        send(ctx, req, res, r.body().length);
    }

    /** A server-API request (the gate has checked its key). */
    private void api(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri, String path) {
        long ingress = System.nanoTime();
        String endpoint = HttpGate.apiEndpointLabel(path);
        if (path.equals("/stats/stream") && req.method() == HttpMethod.GET) {
            node.metrics().apiRequest(endpoint, 200);
            closeAfterAnswer(); // nothing after the stream
            StatsStream.start(ctx, req, stats);
            return;
        }
        byte[] body = io.netty.buffer.ByteBufUtil.getBytes(req.content());
        io.netty.handler.codec.http.HttpVersion version = req.protocolVersion();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        api.handle(req.method().name(), path, uri.parameters(), body, ingress).thenAccept(reply -> {
            node.metrics().apiRequest(endpoint, reply.status());
            ctx.executor().execute(() -> {
                FullHttpResponse res = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(reply.status()),
                        Unpooled.wrappedBuffer(reply.body()));
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                send(ctx, keepAlive, res, reply.body().length);
            });
        });
    }


    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri) {
        // A request that is not a version-13 handshake is answered here, readably, before any limit
        // slot is taken: a malformed upgrade must never hold a slot it cannot give back.
        UpgradeAdmission.Refusal refusal = UpgradeAdmission.check(req.method(), req.protocolVersion(), req.headers());
        if (refusal != null) {
            refuseUpgrade(ctx, req, refusal);
            return;
        }
        String ip = ClientAddress.of(ctx.channel(), req.headers(), node.config().proxies());
        if (!limits.tryUpgrade(ip)) {
            tooManyUpgrades(ctx, req);
            return;
        }
        // Subprotocol and permessage-deflate: see UpgradeNegotiation.
        UpgradeNegotiation agreed = UpgradeNegotiation.of(req.headers(), deflate);
        boolean versionOk = agreed.versionOk;
        WebSocketServerHandshaker handshaker = agreed.handshaker(req, node.config().maxFrameBytes());

        Principal principal = null;
        AuthException refused = null;
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (versionOk && !origins.allows(origin, req.headers().get(HttpHeaderNames.HOST))) {
            refused = new AuthException(ErrorCode.FORBIDDEN, CloseCode.FORBIDDEN,
                    "origin " + clip(origin) + " may not open WebSockets here (see --allowed-origins)");
        } else if (versionOk) {
            String token = token(req, uri);
            if ((token == null || token.isEmpty()) && node.hooks().decidesTokenless()) {
                principal = Principal.ANONYMOUS; // the connect decision names the user (from headers or cookies)
            } else {
                try {
                    principal = node.authenticator().authenticate(token);
                } catch (AuthException e) {
                    refused = e;
                }
            }
        }
        if (principal != null && node.hooks().decidesConnect()) {
            // The application decides (Hooks): the request is kept until it has, reads stay paused meanwhile,
            // and the handshake deadline still bounds the wait.
            req.retain();
            ConnectDecision.ask(node.hooks(), ctx, req, token(req, uri), ip, principal, (decided, why) -> {
                try {
                    if (ctx.channel().isActive()) {
                        admit(ctx, req, handshaker, agreed, true, ip, decided, why);
                    }
                } finally {
                    req.release();
                }
            });
            return;
        }
        admit(ctx, req, handshaker, agreed, versionOk, ip, principal, refused);
    }

    /** The rest of an upgrade once it is known who the client is (or why it is refused). */
    private void admit(ChannelHandlerContext ctx, FullHttpRequest req, WebSocketServerHandshaker handshaker,
                       UpgradeNegotiation agreed, boolean versionOk, String ip, Principal principal, AuthException refused) {
        if (principal != null) {
            try {
                String idProblem = Principal.userIdProblem(principal.userId());
                if (idProblem != null) {
                    throw AuthException.unauthorized(idProblem);
                }
                if (principal.info() != null && principal.info().length > node.config().maxPresenceInfoBytes()) {
                    throw new AuthException(ErrorCode.TOO_LARGE, CloseCode.UNAUTHORIZED, "the token's info claim is over "
                            + node.config().maxPresenceInfoBytes() + " bytes (it is stored in every presence entry)");
                }
                String over = limits.tryOpen(principal.userId(), principal.anonymous(), ip);
                if (over != null) {
                    refused = new AuthException(ErrorCode.LIMIT_EXCEEDED, CloseCode.CONNECTION_LIMIT, over);
                    principal = null;
                }
            } catch (AuthException e) {
                refused = e;
            }
        }

        io.netty.channel.Channel ch = ctx.channel();
        ChannelPipeline p = ctx.pipeline();
        ChannelFuture done;
        try {
            done = agreed.handshake(handshaker, ch, req);
        } catch (RuntimeException e) {
            if (principal != null) {
                limits.closed(principal.userId(), principal.anonymous(), ip);
            }
            respond(ctx, req, HttpResponseStatus.BAD_REQUEST, error("bad_request", "invalid WebSocket upgrade"));
            return;
        }
        toWebSocket(ch, p);
        boolean draining = routes.draining();
        // A session puts messages together and checks their UTF-8 itself (SessionHandler); a refused
        // connection gets Netty's stages for that, as the Pusher door does.
        agreed.installStages(ch, p, node.config().maxFrameBytes(), versionOk && refused == null && !draining);
        WireFormat format = agreed.format;
        if (!versionOk) {
            node.metrics().connectionRefused(ErrorCode.UNSUPPORTED_VERSION);
            agreed.refuseUnspoken(ch, done);
            return;
        }
        if (refused != null) {
            AuthException why = refused;
            node.metrics().connectionRefused(why.errorCode());
            done.addListener(f -> {
                if (f.isSuccess()) {
                    RefusedConnection.refuse(ch, format, why.errorCode(), why.getMessage(), why.closeCode());
                }
            });
            return;
        }
        if (draining) {
            node.metrics().connectionRefused(ErrorCode.UNAVAILABLE);
            limits.closed(principal.userId(), principal.anonymous(), ip);
            done.addListener(f -> {
                if (f.isSuccess()) {
                    RefusedConnection.refuse(ch, format, ErrorCode.UNAVAILABLE, "the node is shutting down",
                            CloseCode.GOING_AWAY);
                }
            });
            return;
        }
        // Only the application's decisions keep handshake headers; without any, nothing is copied per connection.
        java.util.Map<String, List<String>> kept = node.hooks() == io.switchboard.server.node.Hooks.NONE
                ? java.util.Map.of() : node.hooks().keep(ConnectDecision.headers(req));
        // The session derives the address when it is the TCP peer's, rather than keep a copy per connection.
        // The limits, not this handler, are told of the close: the session outlives the handler and must not keep it.
        int maxFrameBytes = node.config().maxFrameBytes();
        SessionHandler session = new SessionHandler(node, ch, principal, ClientAddress.isPeer(ch, ip) ? null : ip, kept, format,
                limits, agreed.decoderConfig(maxFrameBytes), agreed.sessionDecodes());
        // A session writes its frames as bytes (ServerFrames): Netty's frame encoder, which the handshake's
        // answer has already passed, would be one more stage per connection and per write.
        p.remove(io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder.class);
        if (agreed.sessionDecodes()) {
            // The session's handler is a frame decoder too: it takes the handshake's decoder's place (in this
            // task, before any frame reached that one), so that one stage takes the connection's bytes.
            p.replace(io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder.class, "session", session);
        } else {
            p.addLast("session", session);
        }
        httpChannels.remove(ch); // a node connection from here: Connection.abort closes it when the server stops
        done.addListener(f -> {
            if (f.isSuccess()) {
                session.start();
            } else {
                ch.close();
            }
        });
    }

    /** HTTP 429: this address opened connections faster than its upgrade rate allows. */
    private void tooManyUpgrades(ChannelHandlerContext ctx, FullHttpRequest req) {
        node.metrics().rateLimitedUpgrade();
        FullHttpResponse res = new DefaultFullHttpResponse(req.protocolVersion(), HttpResponseStatus.TOO_MANY_REQUESTS,
                Unpooled.wrappedBuffer(error("rate_limited", "too many new connections from this address; retry shortly")));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        res.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        send(ctx, req, res, res.content().readableBytes());
    }

    /**
     * Turns the HTTP pipeline into a WebSocket one (after the handshake was written); this handler leaves it.
     * The stages after the frame codec are the caller's: {@link #wholeMessages}, or what a session needs.
     */
    private void toWebSocket(io.netty.channel.Channel ch, ChannelPipeline p) {
        p.remove(HandshakeDeadline.class);
        if (p.get(HttpGate.class) != null) {
            p.remove(HttpGate.class); // a WebSocket needs no HTTP gate; every frame would pass through it
        }
        p.remove(this);
        ch.config().setAutoRead(true); // reading may have been paused for pipelined requests
    }

    /** Netty's UTF-8 check (close 1007) and aggregation of fragments (over the limit: close 1009). */
    static void wholeMessages(ChannelPipeline p, int maxFrameBytes) {
        p.addLast("ws-utf8", new Utf8FrameValidator(false));
        p.addLast("ws-aggregate", new WebSocketFrameAggregator(maxFrameBytes));
    }

    /**
     * {@code /app/{key}}: a Pusher protocol connection (docs/pusher.md). The same admission, rate and
     * per-address limits as {@code /ws}, no token and no origin check (Pusher apps authorize per channel);
     * then the Pusher front door takes the connection, or refuses it its own way.
     */
    private void pusherUpgrade(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri, String key) {
        UpgradeAdmission.Refusal refusal = UpgradeAdmission.check(req.method(), req.protocolVersion(), req.headers());
        if (refusal != null) {
            refuseUpgrade(ctx, req, refusal);
            return;
        }
        String ip = ClientAddress.of(ctx.channel(), req.headers(), node.config().proxies());
        if (!limits.tryUpgrade(ip)) {
            tooManyUpgrades(ctx, req);
            return;
        }
        WebSocketServerHandshaker handshaker = UpgradeNegotiation.handshaker13(req, null,
                UpgradeNegotiation.decoderConfig(node.config().maxFrameBytes(), false));
        String over = limits.tryOpen("", true, ip);
        io.netty.channel.Channel ch = ctx.channel();
        ChannelFuture done;
        try {
            done = handshaker.handshake(ch, req);
        } catch (RuntimeException e) {
            if (over == null) {
                limits.closed("", true, ip);
            }
            respond(ctx, req, HttpResponseStatus.BAD_REQUEST, error("bad_request", "invalid WebSocket upgrade"));
            return;
        }
        ChannelPipeline p = ctx.pipeline();
        toWebSocket(ch, p);
        wholeMessages(p, node.config().maxFrameBytes());
        ConnectionLimits slots = limits;
        Runnable start = pusher.open(ch, key, uri.parameters(), routes.draining(), over,
                over != null ? () -> { } : () -> slots.closed("", true, ip));
        if (p.get("pusher") != null) {
            httpChannels.remove(ch); // a node connection (not a refusal): Connection.abort closes it when the server stops
        }
        done.addListener(f -> {
            if (f.isSuccess()) {
                start.run();
            } else {
                ch.close();
            }
        });
    }

    /** A Pusher HTTP API request under {@code /apps/}: the front door checks its signature and answers. */
    private void pusherApi(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri, String path) {
        byte[] body = io.netty.buffer.ByteBufUtil.getBytes(req.content());
        HttpVersion version = req.protocolVersion();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        pusher.http(req.method().name(), path, uri.parameters(), body).thenAccept(reply -> ctx.executor().execute(() -> {
            FullHttpResponse res = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(reply.status()),
                    Unpooled.wrappedBuffer(reply.body()));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            send(ctx, keepAlive, res, reply.body().length);
        }));
    }

    /** Answers an upgrade that is not one: 426 naming version 13, or 400; then the connection closes. */
    private void refuseUpgrade(ChannelHandlerContext ctx, FullHttpRequest req, UpgradeAdmission.Refusal refusal) {
        boolean version = refusal.versionRequired();
        byte[] body = error(version ? ErrorCode.UNSUPPORTED_VERSION.wireName() : "bad_request", refusal.message());
        closeAfterAnswer();
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, refusal.status(), Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        if (version) {
            res.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, UpgradeAdmission.VERSION);
        }
        send(ctx, false, res, body.length);
    }

    private static String clip(String s) {
        return s == null ? "null" : s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    private static String token(FullHttpRequest req, QueryStringDecoder uri) {
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        List<String> q = uri.parameters().get("access_token");
        return q == null || q.isEmpty() ? null : q.get(0);
    }

    static byte[] error(String code, String message) {
        return Json.object(g -> {
            g.writeStringField("code", code);
            g.writeStringField("message", message);
        });
    }
}
