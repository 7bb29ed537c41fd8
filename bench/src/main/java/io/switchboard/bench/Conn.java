package io.switchboard.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One generated connection: the Netty handler at the end of its pipeline and its protocol state.
 * {@link #readyFuture()} completes when the connection is subscribed (or, without a channel, connected).
 */
final class Conn extends SimpleChannelInboundHandler<WebSocketFrame> {

    private final Target target;
    private final String token;
    private final String channelName; // null: a publisher that subscribes to nothing
    private final Deliveries deliveries;
    private final AtomicLong serverErrors;
    private final AtomicLong unexpectedCloses;
    private final CompletableFuture<Conn> ready = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile boolean closing;
    // presence pushes seen, and the user count the latest one carried (-1: none yet); written on the event loop
    private volatile long presencePushes;
    private volatile long lastUsers = -1;

    Conn(Target target, String token, String channelName, Deliveries deliveries, AtomicLong serverErrors, AtomicLong unexpectedCloses) {
        this.target = target;
        this.token = token;
        this.channelName = channelName;
        this.deliveries = deliveries;
        this.serverErrors = serverErrors;
        this.unexpectedCloses = unexpectedCloses;
    }

    CompletableFuture<Conn> readyFuture() {
        return ready;
    }

    Target target() {
        return target;
    }

    String token() {
        return token;
    }

    String channelName() {
        return channelName;
    }

    boolean isReady() {
        return ready.isDone();
    }

    /** Ready once and its socket still open: the server has not closed it (a slow consumer, say). */
    boolean isOpen() {
        Channel ch = channel;
        return ready.isDone() && !ready.isCompletedExceptionally() && ch != null && ch.isActive();
    }

    /** The protocol-level connection is up: subscribe, or be ready as a publisher. */
    void connected() {
        if (channelName == null) {
            ready();
        } else {
            target.subscribe(this, channelName);
        }
    }

    void ready() {
        ready.complete(this);
    }

    void fail(String why) {
        ready.completeExceptionally(new IllegalStateException(why));
        close();
    }

    void serverError() {
        serverErrors.incrementAndGet();
    }

    void deliveries(ByteBuf text) {
        deliveries(text, Frames.SENT);
    }

    /** Records each {@code stamp} and the number after it in the frame as one delivery. */
    void deliveries(ByteBuf text, byte[] stamp) {
        long now = System.nanoTime();
        Frames.scanSent(text, stamp, sent -> deliveries.record(sent, now));
    }

    private static final byte[][] PRESENCE_TYPES = {Frames.ascii("\"type\":\"presenceDiff\""),
            Frames.ascii("\"type\":\"presenceCount\""), Frames.ascii("\"type\":\"presenceUpdate\"")};
    private static final byte[] USERS = Frames.ascii("\"users\":");

    /** Counts the presence pushes in a frame (one envelope or a batch) and keeps the last user count. */
    void presence(ByteBuf text) {
        int end = text.writerIndex();
        int last = -1;
        for (byte[] type : PRESENCE_TYPES) {
            int at = text.readerIndex();
            while ((at = Frames.indexOf(text, type, at, end)) >= 0) {
                presencePushes++;
                last = Math.max(last, at);
                at += type.length;
            }
        }
        if (last >= 0) {
            int u = Frames.indexOf(text, USERS, last, end);
            if (u >= 0) {
                long n = 0;
                for (int i = u + USERS.length; i < end && Character.isDigit(text.getByte(i)); i++) {
                    n = n * 10 + (text.getByte(i) - '0');
                }
                lastUsers = n;
            }
        }
    }

    long presencePushes() {
        return presencePushes;
    }

    long lastUsers() {
        return lastUsers;
    }

    void send(String text) {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(new TextWebSocketFrame(text), ch.voidPromise());
        }
    }

    void sendBinary(byte[] bytes) {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(new io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame(io.netty.buffer.Unpooled.wrappedBuffer(bytes)),
                    ch.voidPromise());
        }
    }

    void close() {
        closing = true;
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            target.onOpen(this);
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            fail("handshake timed out");
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            target.onText(this, frame.content());
        } else if (frame instanceof io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame) {
            target.onBinary(this, frame.content());
        } else if (frame instanceof CloseWebSocketFrame close) {
            if (!ready.isDone()) {
                fail("closed by the server with " + close.statusCode() + " " + close.reasonText());
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!ready.isDone()) {
            ready.completeExceptionally(new IllegalStateException("connection closed before it was ready"));
        } else if (!closing) {
            unexpectedCloses.incrementAndGet();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(String.valueOf(cause));
    }
}
