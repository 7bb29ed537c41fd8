package io.switchboard.server.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.api.ApiKeys;
import io.switchboard.server.api.ServerApi;
import io.switchboard.server.metrics.Metrics;

/**
 * Looks at each request's head before its body is read: requests for {@code /api} (and {@code /metrics}
 * when it needs a key) must carry a valid API key, and every other route takes no more than a small
 * body. A request refused here is answered at once and the connection closed, so an unauthenticated
 * client can never make the node buffer a large body.
 */
final class HttpGate extends ChannelInboundHandlerAdapter {

    /** Largest body a route other than the server API accepts. */
    static final int SMALL_BODY = 16 * 1024;

    private final ApiKeys keys;
    private final boolean metricsNeedKey;
    private final Metrics metrics;
    private boolean refusing; // the rest of a refused request is dropped; event loop only
    private final boolean pusherApi; // /apps/ takes server-API-sized bodies (the Pusher HTTP API)

    HttpGate(ApiKeys keys, boolean metricsNeedKey, Metrics metrics, boolean pusherApi) {
        this.pusherApi = pusherApi;
        this.keys = keys;
        this.metricsNeedKey = metricsNeedKey;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req && req.decoderResult().isSuccess()) {
            refusing = false;
            String path = new QueryStringDecoder(req.uri()).path();
            boolean api = path.equals("/api") || path.startsWith("/api/");
            if (api || (metricsNeedKey && path.equals("/metrics"))) {
                String problem = keyProblem(req);
                if (problem != null) {
                    metrics.apiRequest(api ? apiEndpointLabel(path.substring(4)) : "metrics",
                            keys.enabled() ? 401 : 403);
                    refuse(ctx, msg, keys.enabled() ? HttpResponseStatus.UNAUTHORIZED : HttpResponseStatus.FORBIDDEN,
                            keys.enabled() ? ErrorCode.UNAUTHORIZED : ErrorCode.FORBIDDEN, problem);
                    return;
                }
            } else if (pusherApi && path.startsWith("/apps/") && !HttpUtil.isTransferEncodingChunked(req)) {
                // The Pusher HTTP API: signed requests, checked once the body (which the signature covers) is read;
                // the aggregator bounds the body by --api-max-body-bytes.
            } else if (HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > SMALL_BODY) {
                refuse(ctx, msg, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, ErrorCode.TOO_LARGE,
                        "only the server API takes request bodies over " + SMALL_BODY + " bytes");
                return;
            }
        } else if (refusing && msg instanceof HttpContent) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Null when the request carries an accepted key; otherwise what is wrong, for the client. */
    private String keyProblem(HttpRequest req) {
        if (!keys.enabled()) {
            return "the server API is off on this node: start it with --api-key (or SWITCHBOARD_API_KEY, or api-keys in YAML)";
        }
        String key = req.headers().get("X-API-Key");
        if (key == null) {
            String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                key = auth.substring(7).trim();
            }
        }
        if (key == null || key.isEmpty()) {
            return "missing API key: send it in an X-API-Key header (or Authorization: Bearer)";
        }
        return keys.accepts(key) ? null : "wrong API key";
    }

    private void refuse(ChannelHandlerContext ctx, Object msg, HttpResponseStatus status, ErrorCode code, String message) {
        refusing = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        byte[] body = ServerApi.errorBody(code, message);
        FullHttpResponse res = new DefaultFullHttpResponse(((HttpRequest) msg).protocolVersion(), status,
                Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (status == HttpResponseStatus.UNAUTHORIZED) {
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "ApiKey realm=\"switchboard\"");
        }
        HttpUtil.setContentLength(res, body.length);
        HttpUtil.setKeepAlive(res, false);
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    private static final java.util.Set<String> API_ENDPOINTS = java.util.Set.of("/publish", "/batch", "/presence",
            "/presence/count", "/history", "/channels", "/disconnect", "/unsubscribe", "/info", "/stats", "/stats/stream",
            "/webhooks/dead-letters", "/webhooks/replay");

    /** The label an API path gets in metrics: the endpoint, or "other" (so clients cannot grow the label set). */
    static String apiEndpointLabel(String path) {
        return API_ENDPOINTS.contains(path) ? path.substring(1) : "other";
    }
}
