package io.switchboard.server.pusher;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.server.util.ServerFrames;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Netty end of a {@link PusherConnection}: frames and channel events into connection calls. */
final class PusherHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final Logger log = LoggerFactory.getLogger(PusherHandler.class);

    private final PusherConnection connection;

    PusherHandler(PusherConnection connection) {
        this.connection = connection;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            connection.onText(ByteBufUtil.getBytes(frame.content()));
        } else if (frame instanceof PingWebSocketFrame) {
            connection.heard();
            ctx.writeAndFlush(ServerFrames.pong(ctx.alloc(), frame.content())); // the ping stays ours: released after this
        } else if (frame instanceof PongWebSocketFrame) {
            connection.heard();
        } else if (frame instanceof CloseWebSocketFrame) {
            int code = ((CloseWebSocketFrame) frame).statusCode();
            connection.onPeerClose(code < 0 ? 1005 : code); // 1005: a close frame without a code
        } else if (frame instanceof BinaryWebSocketFrame) {
            connection.onBinary();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            connection.outbound().scheduleFlush();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.onChannelClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException c) {
            connection.close(c.closeStatus().code(), "broken frame");
        } else if (cause instanceof TooLongFrameException) {
            connection.close(1009, "frame too large");
        } else if (cause instanceof CorruptedFrameException) {
            connection.close(1002, "broken frame");
        } else if (cause instanceof IOException) {
            ctx.close();
        } else {
            log.atWarn().addKeyValue("session", connection.id()).setCause(cause).log("pusher connection {}: unexpected fault", connection.id());
            connection.close(PusherConnection.CLOSE_RECONNECT, "internal error");
        }
    }
}
