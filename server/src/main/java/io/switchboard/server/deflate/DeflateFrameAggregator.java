package io.switchboard.server.deflate;

import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;

/**
 * Netty's frame aggregator for a connection with permessage-deflate agreed, plus RFC 7692 6.1's rule that
 * only a message's first frame may set RSV1: a continuation frame with any RSV bit closes with 1002.
 * (The aggregated message keeps its first frame's bits, which {@link InflateHandler} reads.)
 */
public final class DeflateFrameAggregator extends WebSocketFrameAggregator {

    public DeflateFrameAggregator(int maxMessageBytes) {
        super(maxMessageBytes);
    }

    @Override
    protected boolean isContentMessage(WebSocketFrame msg) throws Exception {
        if (msg instanceof ContinuationWebSocketFrame && msg.rsv() != 0) {
            throw new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, "RSV bits on a continuation frame");
        }
        return super.isContentMessage(msg);
    }
}
