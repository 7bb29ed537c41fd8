package io.switchboard.server.deflate;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.server.metrics.CompressionMetrics;
import java.util.List;

/**
 * Inbound permessage-deflate, after the frame aggregator (it sees whole messages, at most
 * {@code --max-frame-bytes} compressed) and before the UTF-8 check. A message with RSV1 set is inflated
 * into at most {@code maxBytes}; one that would inflate further closes the connection with 1009 as soon as
 * the output passes the cap, one that is not valid deflate data (corrupt, truncated inside a block) with
 * 1007. RSV2 or RSV3, or RSV1 on a control frame, close with 1002. Stateless (the zlib stream belongs to the
 * thread, see {@link Zlib}), so one instance serves every connection of a node.
 */
@ChannelHandler.Sharable
public final class InflateHandler extends MessageToMessageDecoder<WebSocketFrame> {

    private final int maxBytes;
    private final CompressionMetrics metrics;

    public InflateHandler(int maxBytes, CompressionMetrics metrics) {
        super(WebSocketFrame.class);
        this.maxBytes = maxBytes;
        this.metrics = metrics;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        int rsv = frame.rsv();
        boolean data = frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame;
        if (rsv == 0) {
            out.add(frame.retain());
            return;
        }
        if (rsv != Deflation.RSV1 || !data) {
            throw new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR,
                    data ? "RSV2 and RSV3 are not negotiated" : "a control frame with RSV bits set");
        }
        ByteBuf inflated;
        try {
            inflated = Zlib.inflate(ctx.alloc(), frame.content(), maxBytes);
        } catch (Zlib.InflateException e) {
            metrics.refused(e.tooLarge ? "too_big" : "corrupt");
            throw new CorruptedWebSocketFrameException(e.tooLarge ? WebSocketCloseStatus.MESSAGE_TOO_BIG
                    : WebSocketCloseStatus.INVALID_PAYLOAD_DATA, e.getMessage());
        }
        metrics.messageIn();
        out.add(frame instanceof TextWebSocketFrame ? new TextWebSocketFrame(true, 0, inflated)
                : new BinaryWebSocketFrame(true, 0, inflated));
    }
}
