package io.switchboard.server.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.switchboard.protocol.CloseCode;
import io.switchboard.server.util.ServerFrames;

/**
 * One session's closing handshake (RFC 6455 7), made when the session starts closing, by either side;
 * an open session has none, so it costs an open connection nothing. It knows the close code the session
 * ends with, whether our close frame is written, and when the socket is closed whatever the client
 * does. Event loop only.
 *
 * <p>Two ways in: the node closes ({@link #ours}): its close frame goes out at once and the client has
 * a grace period to answer; or the client closes ({@link #theirs}): the replies to its earlier commands go
 * out first, then our answering close frame ({@link #answer}), and a reply that takes longer than the
 * grace period is not waited for.
 */
final class ClosingHandshake {

    private final Channel channel;
    private final int code; // the first close code sent or received
    private final boolean peerClosed; // the client sent a close of its own (not an answer to ours)
    private final long deadline; // when the socket is closed regardless; the node's clock
    private boolean sent; // our close frame is written: nothing may follow it
    private ChannelFuture frameWritten; // our close frame's write, when we closed first

    private ClosingHandshake(Channel channel, int code, boolean peerClosed, long deadline) {
        this.channel = channel;
        this.code = code;
        this.peerClosed = peerClosed;
        this.deadline = deadline;
    }

    /**
     * The node closes with {@code code}: writes the close frame (what the outbound queue held must have been
     * flushed or dropped before) and gives the client until {@code deadline} to answer it.
     */
    static ClosingHandshake ours(Channel channel, CloseCode code, long deadline) {
        ClosingHandshake h = new ClosingHandshake(channel, code.code(), false, deadline);
        h.sent = true;
        h.frameWritten = channel.writeAndFlush(ServerFrames.close(channel.alloc(), code.code(), code.reason()));
        return h;
    }

    /** The client closed with {@code code}; our answer waits for the replies in flight, until {@code deadline}. */
    static ClosingHandshake theirs(Channel channel, int code, long deadline) {
        return new ClosingHandshake(channel, code, true, deadline);
    }

    /** The close code the session ends with. */
    int code() {
        return code;
    }

    /** Our close frame is written: no frame may follow it. */
    boolean sent() {
        return sent;
    }

    /** The client closed first and our answer has not gone out yet. */
    boolean awaitingAnswer() {
        return peerClosed && !sent;
    }

    /** True when a close frame from the client answers ours (rather than being its own close). */
    boolean answersOurs() {
        return !peerClosed;
    }

    long deadline() {
        return deadline;
    }

    /**
     * Writes the close frame answering the client's, then closes the socket. The caller has written or
     * dropped what was queued before it. Once only.
     */
    void answer() {
        if (sent) {
            return;
        }
        sent = true;
        channel.writeAndFlush(ServerFrames.close(channel.alloc(), CloseCode.NORMAL.code(), "")).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * The deadline passed: the socket closes. When our close frame never left this node (the client stopped
     * reading), the connection is reset rather than ending in a stream cut short. Returns true when it was
     * reset. The caller answers a client's close that is still waiting before asking.
     */
    boolean expire() {
        boolean reset = frameWritten != null && !frameWritten.isDone();
        if (reset) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        channel.close();
        return reset;
    }
}
