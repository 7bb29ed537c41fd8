package io.switchboard.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.switchboard.server.api.NodeStats;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * {@code /api/stats/stream}: server-sent events, one {@code data:} line with the node's stats JSON a second,
 * for the admin page. The connection then serves nothing else. A sample is skipped, not queued, while the
 * client is not reading.
 */
final class StatsStream {

    private StatsStream() {
    }

    /** Answers the request with the stream and keeps it going until the connection closes. Event loop only. */
    static void start(ChannelHandlerContext ctx, FullHttpRequest req, NodeStats stats) {
        if (ctx.pipeline().get(HandshakeDeadline.class) != null) {
            ctx.pipeline().remove(HandshakeDeadline.class);
        }
        HttpResponse res = new DefaultHttpResponse(req.protocolVersion(), HttpResponseStatus.OK);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        HttpUtil.setTransferEncodingChunked(res, true);
        ctx.write(res);
        Channel ch = ctx.channel();
        Consumer<byte[]> listener = sample -> ch.eventLoop().execute(() -> {
            if (ch.isActive() && ch.isWritable()) {
                ch.writeAndFlush(event(sample));
            }
        });
        ctx.writeAndFlush(event(stats.latest()));
        stats.addListener(listener);
        ch.closeFuture().addListener(f -> stats.removeListener(listener));
    }

    private static HttpContent event(byte[] json) {
        ByteBuf buf = Unpooled.buffer(json.length + 8);
        buf.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
        buf.writeBytes(json);
        buf.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
        return new DefaultHttpContent(buf);
    }
}
