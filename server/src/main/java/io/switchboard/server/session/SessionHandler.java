package io.switchboard.server.session;

import io.switchboard.server.node.Node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.WireFormat;
import io.switchboard.server.auth.Principal;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty end of a {@link Session}: turns frames and channel events into session calls. It is the
 * connection's only WebSocket stage after the handshake: Netty's frame decoder (it extends it, so that the
 * decoder and this handler are one object and one pipeline stage per connection rather than two of each),
 * and the rest of what Netty's {@code Utf8FrameValidator} and {@code WebSocketFrameAggregator} would do in two
 * more stages: it puts fragmented messages back together (at most the frame limit in all: close 1009) and
 * checks text messages for UTF-8 fragment by fragment (close 1007 at the fragment with the bad byte). With
 * permessage-deflate agreed, Netty's decoder, aggregator and the inflater come before it and hand it whole
 * messages as frames, which it checks the same way; it then decodes nothing itself, and passes on any bytes
 * that reach it as Netty's decoder would have.
 */
public final class SessionHandler extends WebSocket13FrameDecoder {

    private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);
    /** Fragments kept as they came before the message is copied out (Netty's aggregator's default). */
    private static final int MAX_COMPONENTS = 1024;
    /** {@link #utf8} of a binary message: not checked. */
    private static final int NOT_TEXT = Integer.MIN_VALUE;

    /**
     * What a connection took at its handshake and gives back when it closes: its connection-limit slots.
     * One object for the node's connections (the transport's limits), not a callback per connection.
     */
    public interface Slots {
        /** Called once per connection, on its event loop, when it has closed. */
        void closed(String userId, boolean anonymous, String clientAddress);
    }

    private final Session session;
    private final Slots slots;
    // The message being put together from its fragments (null between messages, and while the rest of an
    // over-long one is dropped), whether it is text, and the UTF-8 check's state (Utf8Check) of a text
    // message, across its fragments. Event loop only.
    private CompositeByteBuf message;
    private boolean messageText;
    private int utf8 = Utf8Check.COMPLETE;
    private final boolean decodes; // it took the handshake's decoder's place: bytes are frames to decode here

    /**
     * @param channel the upgraded connection (its deflate agreement, if any, already set as an attribute)
     * @param clientAddress the client's address as the transport judged it (behind a trusted proxy: the one it
     *                      named), or null when it is the TCP peer's: the session then derives it when asked
     * @param keptHeaders the handshake headers the application's decisions keep ({@code Hooks.keep})
     * @param format the wire format of the subprotocol the handshake selected
     * @param slots told once when the connection closes, with its user and the client's address (given the
     *              address so that it need not keep a copy of its own)
     * @param decoding the frame decoder's settings (the handshake's)
     * @param decodes true when this handler takes the place of the handshake's decoder and decodes the bytes that
     *                reach it; false when stages in front of it hand it frames (permessage-deflate)
     */
    public SessionHandler(Node node, Channel channel, Principal principal, String clientAddress,
                          java.util.Map<String, java.util.List<String>> keptHeaders, WireFormat format, Slots slots,
                          WebSocketDecoderConfig decoding, boolean decodes) {
        super(decoding);
        this.decodes = decodes;
        this.session = new Session(node, channel, principal, clientAddress, keptHeaders, format);
        this.slots = slots;
    }

    public Session session() {
        return session;
    }

    /** Called once the handshake response is on its way. */
    public void start() {
        session.start();
    }

    /**
     * Bytes are decoded here (see {@link #decode}) when this handler is the connection's decoder; frames (with
     * permessage-deflate) are taken as they come; anything else passes on.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof WebSocketFrame frame) {
            frame(ctx, frame);
        } else if (decodes) {
            super.channelRead(ctx, msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Netty's decoding of at most one frame, which is then handled here rather than passed down the pipeline:
     * nothing is left in {@code out} for the decoder to fire.
     */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, java.util.List<Object> out) throws Exception {
        super.decode(ctx, in, out);
        if (!out.isEmpty()) {
            WebSocketFrame frame = (WebSocketFrame) out.get(0);
            out.clear();
            try {
                frame(ctx, frame);
            } catch (Throwable t) {
                // As when a stage after the decoder failed: reported here, and the frames after it still decoded.
                exceptionCaught(ctx, t);
            }
        }
    }

    private void frame(ChannelHandlerContext ctx, WebSocketFrame frame) {
        try {
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
                    || frame instanceof ContinuationWebSocketFrame) {
                data(ctx, frame);
            } else if (frame instanceof PingWebSocketFrame) {
                session.onProtocolPing(frame.content());
            } else if (frame instanceof CloseWebSocketFrame close) {
                // 1005: a close frame without a code (RFC 6455 7.1.5); Netty says -1
                session.onPeerClose(close.statusCode() < 0 ? 1005 : close.statusCode(), reasonIsUtf8(close));
            } else if (!(frame instanceof PongWebSocketFrame)) {
                log.atDebug().addKeyValue("session", session.id()).log("session {}: ignoring {}", session.id(), frame.getClass().getSimpleName());
            }
        } finally {
            frame.release();
        }
    }

    /**
     * A text, binary or continuation frame. Netty's decoder has already refused fragments out of order
     * (1002) and single frames over the limit (1009). First the UTF-8 check of this fragment, then the
     * message: a whole one goes to the session at once, fragments are kept until the last.
     */
    private void data(ChannelHandlerContext ctx, WebSocketFrame frame) {
        boolean start = !(frame instanceof ContinuationWebSocketFrame);
        ByteBuf content = frame.content();
        if (start) {
            utf8 = frame instanceof TextWebSocketFrame ? Utf8Check.COMPLETE : NOT_TEXT;
        }
        if (utf8 != NOT_TEXT) {
            utf8 = Utf8Check.scan(utf8, content);
            if (utf8 == Utf8Check.BROKEN || (frame.isFinalFragment() && utf8 != Utf8Check.COMPLETE)) {
                // The rest of this message fails here too; what came of it stays until the connection ends.
                utf8 = Utf8Check.BROKEN;
                log.atDebug().addKeyValue("session", session.id()).log("session {}: broken frame (1007)", session.id());
                session.close(CloseCode.INVALID_PAYLOAD);
                return;
            }
        }
        if (start) {
            dropMessage(); // one a 1007 left unfinished (the decoder refuses a new message inside another)
            if (frame.isFinalFragment()) {
                session.onFrame(ByteBufUtil.getBytes(content), frame instanceof TextWebSocketFrame);
                return;
            }
            message = ctx.alloc().compositeBuffer(MAX_COMPONENTS);
            messageText = frame instanceof TextWebSocketFrame;
        } else if (message == null) {
            return; // the rest of a message that went over the limit
        }
        if (message.readableBytes() > session.maxMessageBytes() - content.readableBytes()) {
            dropMessage();
            session.close(CloseCode.TOO_BIG);
            return;
        }
        if (content.isReadable()) {
            message.addComponent(true, content.retain());
        }
        if (frame.isFinalFragment()) {
            CompositeByteBuf whole = message;
            message = null;
            try {
                session.onFrame(ByteBufUtil.getBytes(whole), messageText);
            } finally {
                whole.release();
            }
        }
    }

    private void dropMessage() {
        if (message != null) {
            message.release();
            message = null;
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
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (message != null && !ctx.channel().config().isAutoRead()) {
            ctx.read(); // the rest of the message is needed before anything can be done with it
        }
        session.answerPing(); // one pong for the pings of this read
        super.channelReadComplete(ctx); // the decoder's, which passes the event on
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
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        dropMessage();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try {
            super.channelInactive(ctx); // the decoder hands over what it still held, then passes the event on
        } catch (DecoderException e) {
            // A broken frame in what was left when the connection ended: there is no one left to answer.
            log.atDebug().addKeyValue("session", session.id()).log("session {}: broken frame at the end of the connection",
                    session.id());
        } finally {
            closed();
        }
    }

    private void closed() {
        if (message != null) {
            // The client closed (or dropped) mid-message, or the node's own 1002 did. The half message is dropped.
            log.atDebug().addKeyValue("session", session.id()).log("session {}: connection ended in the middle of a message", session.id());
            dropMessage();
        }
        try {
            session.onChannelClosed();
        } finally {
            // The limit slots come back even if cleaning up failed. A refresh keeps the user, so the principal
            // now is the handshake's as far as the slots go.
            slots.closed(session.userId(), session.principal().anonymous(), session.clientAddress());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PrematureChannelClosureException) {
            // From Netty's aggregator (with permessage-deflate): the connection ended while a fragmented message
            // was incomplete. Expected; the half message is dropped.
            log.atDebug().addKeyValue("session", session.id()).log("session {}: connection ended in the middle of a message", session.id());
        } else if (cause instanceof CorruptedWebSocketFrameException c) {
            // Netty's decoder (or, with deflate, the inflater) found a broken frame (1002/1007/1009) and now discards
            // the rest of the input; the session sends the close frame and waits for the client's.
            log.atDebug().addKeyValue("session", session.id()).log("session {}: broken frame ({})", session.id(), c.closeStatus().code());
            if (c.getMessage() != null && c.getMessage().startsWith("RSV != 0")) {
                session.metrics().compression().refused("not_negotiated"); // Netty's decoder, without permessage-deflate
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
