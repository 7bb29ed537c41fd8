package io.switchboard.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP connection that has not sent a complete request within the handshake timeout of
 * connecting (or of its previous request). A slow trickle of header bytes does not extend it. Removed
 * from the pipeline when the connection becomes a WebSocket.
 */
final class HandshakeDeadline extends ChannelInboundHandlerAdapter {

    private final long timeoutNanos;
    private ScheduledFuture<?> deadline; // event loop only
    private long startedAt; // System.nanoTime() of connecting or of the latest request; event loop only

    HandshakeDeadline(long timeoutMillis) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startedAt = System.nanoTime();
        schedule(ctx, timeoutNanos);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            // A new request: the next one gets a fresh deadline. The timer is not moved (a cancel and a schedule
            // in a queue that holds every session's timer); when it fires early it waits for the rest.
            startedAt = System.nanoTime();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        deadline = ctx.executor().schedule(() -> {
            long left = startedAt + timeoutNanos - System.nanoTime();
            if (left > 0) {
                schedule(ctx, left);
            } else {
                deadline = null;
                ctx.close();
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
