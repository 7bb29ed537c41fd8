package io.switchboard.server.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Keep-alive with bounded pipelining for an HTTP connection: one request is answered at a time; requests
 * that arrive meanwhile wait here (reading stops until the answer is written), at most {@link #MAX_PIPELINED}
 * of them, so no client can queue responses it does not read. The subclass answers each request
 * ({@link #handle}) with {@link #send} or {@link #respond}, or takes the connection over (an upgrade). A base
 * class rather than an object of its own, like {@code CommandsInFlight}. Event loop only.
 */
abstract class PipelinedHttpHandler extends ChannelInboundHandlerAdapter {

    /** Requests a client may pipeline behind the one being answered; more closes the connection. */
    static final int MAX_PIPELINED = 16;

    private boolean busy;
    private boolean closing;
    private final java.util.ArrayDeque<FullHttpRequest> waiting = new java.util.ArrayDeque<>(2);

    /** Answers one request, which is released when this returns. */
    abstract void handle(ChannelHandlerContext ctx, FullHttpRequest req);

    /** Whether the node is draining: then no answer keeps its connection open. */
    abstract boolean draining();

    /** The connection closes once the current answer is written. */
    final void closeAfterAnswer() {
        closing = true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (closing) {
            req.release();
            return;
        }
        if (busy) {
            if (waiting.size() >= MAX_PIPELINED) {
                req.release();
                closing = true;
                ctx.close();
                return;
            }
            waiting.add(req);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        process(ctx, req);
    }

    private void process(ChannelHandlerContext ctx, FullHttpRequest req) {
        busy = true;
        try {
            handle(ctx, req);
        } finally {
            req.release();
        }
    }

    /** The answer to the current request is written: take the next waiting one, or read again. */
    private void next(ChannelHandlerContext ctx) {
        busy = false;
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        FullHttpRequest queued = waiting.poll();
        if (queued != null) {
            process(ctx, queued);
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        FullHttpRequest r;
        while ((r = waiting.poll()) != null) {
            r.release();
        }
    }

    /** An error answer; the connection closes after it (a client that got one is not worth keeping). */
    final void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, byte[] body) {
        closing = true;
        FullHttpResponse res = new DefaultFullHttpResponse(req.protocolVersion(), status, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        send(ctx, req, res, body.length);
    }

    final void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res, int length) {
        send(ctx, HttpUtil.isKeepAlive(req), res, length);
    }

    /**
     * Writes the answer to the current request. The connection stays open for the next one when the
     * client asked for keep-alive and the node is not draining; otherwise it closes once written.
     */
    final void send(ChannelHandlerContext ctx, boolean clientKeepAlive, FullHttpResponse res, int length) {
        boolean keepAlive = clientKeepAlive && !closing && !draining();
        HttpUtil.setContentLength(res, length);
        HttpUtil.setKeepAlive(res, keepAlive);
        if (!keepAlive) {
            closing = true;
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(res).addListener(f -> {
            if (f.isSuccess()) {
                next(ctx);
            } else {
                ctx.close();
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
