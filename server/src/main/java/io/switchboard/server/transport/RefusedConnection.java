package io.switchboard.server.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.WireFormat;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket whose handshake completed only so that the client can read why it is refused: a browser
 * cannot read an HTTP error body, but it can read an error envelope and a close code. Sends both, then
 * waits briefly for the client's close frame and closes the socket.
 */
final class RefusedConnection extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final long GRACE_MILLIS = 2000;

    static void refuse(Channel ch, ErrorCode error, String message, CloseCode close) {
        refuse(ch, WireFormat.JSON, error, message, close);
    }

    /** @param format the selected subprotocol's: the error envelope is written in it */
    static void refuse(Channel ch, WireFormat format, ErrorCode error, String message, CloseCode close) {
        ch.pipeline().addLast(new RefusedConnection());
        byte[] body = format.encode(Envelope.error(null, error, message));
        ch.write(format.text() ? new TextWebSocketFrame(Unpooled.wrappedBuffer(body))
                : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(body)));
        ch.writeAndFlush(new CloseWebSocketFrame(close.code(), close.reason()));
        ch.eventLoop().schedule(() -> {
            ch.close();
        }, GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof CloseWebSocketFrame) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
