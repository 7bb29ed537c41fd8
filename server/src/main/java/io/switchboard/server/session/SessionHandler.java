package io.switchboard.server.session;

import io.switchboard.server.node.Node;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.WireFormat;
import io.switchboard.server.auth.Principal;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Netty end of a {@link Session}: turns frames and channel events into session calls. */
public final class SessionHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);

    private final Node node;
    private final Principal principal;
    private final String clientAddress;
    private final WireFormat format;
    private final Runnable onEnd;
    private final java.util.Map<String, java.util.List<String>> keptHeaders;
    private Session session; // set in handlerAdded; event loop only

    /**
     * @param clientAddress the client's address as the transport judged it (behind a trusted proxy: the one it named)
     * @param keptHeaders the handshake headers the application's decisions keep ({@code Hooks.keep})
     * @param onEnd runs once when the connection closes (gives back connection-limit slots)
     */
    public SessionHandler(Node node, Principal principal, String clientAddress, Runnable onEnd) {
        this(node, principal, clientAddress, java.util.Map.of(), WireFormat.JSON, onEnd);
    }

    /** @param format the wire format of the subprotocol the handshake selected */
    public SessionHandler(Node node, Principal principal, String clientAddress, WireFormat format, Runnable onEnd) {
        this(node, principal, clientAddress, java.util.Map.of(), format, onEnd);
    }

    public SessionHandler(Node node, Principal principal, String clientAddress,
                          java.util.Map<String, java.util.List<String>> keptHeaders, Runnable onEnd) {
        this(node, principal, clientAddress, keptHeaders, WireFormat.JSON, onEnd);
    }

    public SessionHandler(Node node, Principal principal, String clientAddress,
                          java.util.Map<String, java.util.List<String>> keptHeaders, WireFormat format, Runnable onEnd) {
        this.node = node;
        this.keptHeaders = keptHeaders;
        this.format = format;
        this.principal = principal;
        this.clientAddress = clientAddress;
        this.onEnd = onEnd;
    }

    public Session session() {
        return session;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        session = new Session(node, ctx.channel(), principal, clientAddress, keptHeaders, format);
    }

    /** Called once the handshake response is on its way. */
    public void start() {
        session.start();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            session.onFrame(ByteBufUtil.getBytes(frame.content()), true);
        } else if (frame instanceof BinaryWebSocketFrame) {
            session.onFrame(ByteBufUtil.getBytes(frame.content()), false);
        } else if (frame instanceof PingWebSocketFrame) {
            session.onProtocolPing(frame.content());
        } else if (frame instanceof CloseWebSocketFrame close) {
            session.onPeerClose(close.statusCode(), reasonIsUtf8(close));
        } else if (!(frame instanceof PongWebSocketFrame)) {
            log.atDebug().addKeyValue("session", session.id()).log("session {}: ignoring {}", session.id(), frame.getClass().getSimpleName());
        }
    }

    /** Whether a close frame's reason (the bytes after its code) is valid UTF-8; Netty does not check it. */
    private static boolean reasonIsUtf8(CloseWebSocketFrame close) {
        io.netty.buffer.ByteBuf c = close.content();
        if (c.readableBytes() <= 2) {
            return true;
        }
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(c.nioBuffer(c.readerIndex() + 2, c.readableBytes() - 2));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        session.answerPing(); // one pong for the pings of this read
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            session.answerPing();
            session.outbound().scheduleFlush();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        try {
            session.onChannelClosed();
        } finally {
            onEnd.run(); // the limit slots come back even if cleaning up failed
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PrematureChannelClosureException) {
            // The connection ended while a fragmented message was incomplete: a client that closed (or
            // dropped) mid-message, or the node's own 1002/1007. Expected; the half message is dropped.
            log.atDebug().addKeyValue("session", session.id()).log("session {}: connection ended in the middle of a message", session.id());
        } else if (cause instanceof CorruptedWebSocketFrameException c) {
            // Netty's decoder or UTF-8 validator found a broken frame (1002/1007/1009) and now discards
            // the rest of the input; the session sends the close frame and waits for the client's.
            log.atDebug().addKeyValue("session", session.id()).log("session {}: broken frame ({})", session.id(), c.closeStatus().code());
            if (c.getMessage() != null && c.getMessage().startsWith("RSV != 0")) {
                node.metrics().compression().refused("not_negotiated"); // Netty's decoder, without permessage-deflate
            }
            CloseCode code = CloseCode.fromCode(c.closeStatus().code());
            session.close(code == null ? CloseCode.PROTOCOL_ERROR : code);
        } else if (cause instanceof TooLongFrameException) {
            session.close(CloseCode.TOO_BIG);
        } else if (cause instanceof CorruptedFrameException) {
            session.close(CloseCode.PROTOCOL_ERROR);
        } else if (cause instanceof IOException) {
            log.atDebug().addKeyValue("session", session.id()).log("session {}: I/O error: {}", session.id(),
                    io.switchboard.server.util.LogText.escape(cause.toString()));
            ctx.close();
        } else {
            log.atWarn().addKeyValue("session", session.id()).setCause(cause).log("session {}: unexpected fault", session.id());
            session.close(CloseCode.INTERNAL);
        }
    }
}
