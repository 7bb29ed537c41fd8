package io.switchboard.server.session;

import io.netty.channel.Channel;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.CommandId;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.MessageType;
import io.switchboard.protocol.WireFormat;
import io.switchboard.server.auth.Principal;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.auth.JwtAuthenticator;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.hub.Hub;
import io.switchboard.server.node.Connection;
import io.switchboard.server.node.Node;
import io.switchboard.server.util.LogText;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection after its handshake: a small state machine that answers every command
 * exactly once, keeps the heartbeat ({@link Heartbeat}), and cleans up after itself. Confined to the connection's event
 * loop, except {@link #outbound}, which any thread may feed. All timing (pings, the pong deadline, token
 * expiry, the close deadline) runs on a single timer per connection, rescheduled to the nearest due time
 * ({@link SessionDeadlines} decides); its deadlines are read from the node's clock, so that tests can move time.
 * Frames come in through {@link CommandIntake} (decoding, the rate limit, the bad-input rule) and channel
 * commands are answered by {@link ChannelCommands}: both base classes, with {@link Heartbeat} and
 * {@link CommandsInFlight}, so that a connection is one object of these parts rather than one each
 * (docs/architecture.md, "Small idle connections"). A {@code refresh} is decided by its {@link TokenRefresh}.
 */
public final class Session extends ChannelCommands implements Connection, Outbound.Overflow {

    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final long CLOSE_GRACE_MILLIS = 2000;
    /** A token is honoured this long past its exp, as at the handshake. */
    private static final long EXPIRY_GRACE_MILLIS = JwtAuthenticator.CLOCK_SKEW_SECONDS * 1000L;
    enum State { OPEN, CLOSING, CLOSED }

    private final Node node;
    private final Channel channel;
    // The session id, 16 letters and digits, as two halves (Ids.text writes it out when asked): 16 bytes here
    // rather than a 56-byte string that most connections would never need after the welcome.
    private final long idHigh;
    private final long idLow;
    // The id written out once, kept when something lasting holds it (a publication, a presence entry, a
    // subscription without echo), so that those share one string; null until then (most connections).
    // Set on the event loop; id() reads it on any thread (a string: whichever value it sees is whole).
    private String keptId;
    private final String clientAddress; // null: the TCP peer's, derived when asked (most connections)
    private final Map<String, List<String>> keptHeaders; // for the application's decisions (Hooks.keep)
    private final Outbound outbound;

    // Everything below: event loop only, except that userId() reads the principal on any thread (a record:
    // whichever one it sees is whole, and a refresh never changes the user).
    private Principal principal;
    private State state = State.OPEN;
    private ClosingHandshake closing; // null until either side starts closing
    private int connectionSlot = -1; // the node's (Connection.connectionSlot)

    Session(Node node, Channel channel, Principal principal, String clientAddress, WireFormat format) {
        this(node, channel, principal, clientAddress, Map.of(), format);
    }

    Session(Node node, Channel channel, Principal principal, String clientAddress, Map<String, List<String>> keptHeaders,
            WireFormat format) {
        super(node.config());
        this.node = node;
        this.keptHeaders = keptHeaders;
        this.clientAddress = clientAddress;
        ServerConfig config = node.config();
        this.channel = channel;
        this.principal = principal;
        this.idHigh = io.switchboard.server.util.Ids.randomHalf();
        this.idLow = io.switchboard.server.util.Ids.randomHalf();
        int batchBytes = config.maxFrameBytes();
        this.outbound = new Outbound(channel, format, config.maxQueuedBytes(), batchBytes, this,
                channel.hasAttr(io.switchboard.server.deflate.Deflation.KEY) ? channel.attr(io.switchboard.server.deflate.Deflation.KEY).get() : null);
    }

    Principal principal() {
        return principal;
    }

    @Override
    public String id() {
        String kept = keptId;
        return kept != null ? kept : io.switchboard.server.util.Ids.text(idHigh, idLow);
    }

    @Override
    String keptId() {
        if (keptId == null) {
            keptId = io.switchboard.server.util.Ids.text(idHigh, idLow);
        }
        return keptId;
    }

    /** The client's address, behind a trusted proxy the one it named; any thread. */
    @Override
    public String clientAddress() {
        if (clientAddress != null) {
            return clientAddress;
        }
        // The TCP peer's, in the form the transport gives it (Netty keeps the address for the channel's life).
        return channel.remoteAddress() instanceof java.net.InetSocketAddress a && a.getAddress() != null
                ? io.switchboard.server.config.Cidr.literal(a.getAddress().getAddress()) : String.valueOf(channel.remoteAddress());
    }

    io.switchboard.server.metrics.Metrics metrics() {
        return node.metrics();
    }

    Node node() {
        return node;
    }

    ServerConfig config() {
        return node.config();
    }

    /** How this connection's frames are written and read: the subprotocol's. */
    WireFormat format() {
        return outbound.format();
    }

    /** The largest message (all its fragments together) the client may send. */
    int maxMessageBytes() {
        return node.config().maxFrameBytes();
    }

    /** The handshake headers the application's decisions keep; any thread. */
    Map<String, List<String>> keptHeaders() {
        return keptHeaders;
    }

    /**
     * The connection's user ("" for anonymous); any thread. Read from the principal, which a refresh replaces
     * but never with another user ({@link Welcome#refreshProblem}): whichever principal another thread sees
     * (a record: its fields are final) names this user.
     */
    @Override
    public String userId() {
        return principal.userId();
    }

    /** Ends this connection's subscription to {@code channel}, if any, telling it why; any thread. */
    @Override
    public void unsubscribeByServer(String channel) {
        onLoop(() -> {
            if (state == State.OPEN) {
                removeByServer(channel);
            }
        });
    }

    Outbound outbound() {
        return outbound;
    }

    /** Sends the welcome and starts the heartbeat. */
    void start() {
        outbound.writeDirectWhenIdle();
        node.connections().add(this);
        node.metrics().connectionOpened();
        byte[] welcome = Welcome.payload(id(), principal, node.serverVersion(), node.config());
        send(Envelope.builder(MessageType.WELCOME).payload(welcome).build());
        startHeartbeat(now(), node.config().heartbeatInterval().toMillis(), node.timerGrainMillis());
        reschedule();
        for (String ch : io.switchboard.server.node.ServerChannels.of(principal, node.config().hooks().personalNamespace())) {
            addByServer(ch); // the token's or the connect hook's list, and the personal channel
        }
        if (log.isDebugEnabled()) {
            String id = id();
            log.atDebug().addKeyValue("session", id).log("session {} opened for user '{}' from {} (peer {})", id,
                    LogText.escape(principal.userId()), clientAddress(), channel.remoteAddress());
        }
    }

    // ---- inbound ------------------------------------------------------------------------------

    boolean isOpen() {
        return state == State.OPEN;
    }

    /** Milliseconds since the epoch, by the node's clock (the one the session's deadlines are read from). */
    long now() {
        return node.clock().millis();
    }

    /**
     * A WebSocket-level ping: not a command, it takes no command token; answered ({@link PendingPong}) when
     * the read that brought it is done, or once a backed-up socket drains.
     */
    void onProtocolPing(io.netty.buffer.ByteBuf content) {
        if (!closeSent() && state != State.CLOSED) {
            protocolPing(content);
        }
    }

    /** Writes the pong for the latest unanswered ping, if there is one and the socket takes it. */
    void answerPing() {
        answerProtocolPing(channel, !closeSent() && state != State.CLOSED);
    }

    /**
     * The peer sent its close frame: either its own close, or the answer to ours. A close of the
     * client's own is answered once the commands that came before it are: their replies go out first,
     * then the close frame (waiting at most the close grace for a slow one).
     */
    void onPeerClose(int code, boolean reasonIsUtf8) {
        if (state == State.OPEN && (code >= 5000 || !reasonIsUtf8)) {
            // No such close code (RFC 6455 7.4), or a reason that is not UTF-8 (8.1): the connection
            // fails; the client is done sending, so there is no close frame to wait for.
            close(reasonIsUtf8 ? CloseCode.PROTOCOL_ERROR : CloseCode.INVALID_PAYLOAD);
            channel.close();
            return;
        }
        if (state == State.OPEN) {
            state = State.CLOSING;
            closing = ClosingHandshake.theirs(channel, code, now() + CLOSE_GRACE_MILLIS);
            if (log.isDebugEnabled()) {
                log.atDebug().addKeyValue("session", id()).log("session {} closed by the client with {}", id(), code);
            }
            if (nothingInFlight()) {
                answerPeerClose();
            } else {
                reschedule();
            }
        } else if (closing != null && closing.answersOurs()) {
            channel.close(); // the answer to our close frame
        }
    }

    /** Sends what is queued (the replies), then the close frame answering the client's, then closes. */
    private void answerPeerClose() {
        if (closing.sent()) {
            return;
        }
        outbound.flush();
        outbound.close();
        answerPing(); // a ping that came before the close is answered before it too
        closing.answer();
    }

    /** Our close frame is written (or the answer to the client's): nothing may follow it. */
    private boolean closeSent() {
        return closing != null && closing.sent();
    }

    /** The code the session ends with: the first close code sent or received, else 1006 (no close frame, RFC 6455 7.1.5). */
    private int endCode() {
        return closing == null ? 1006 : closing.code();
    }

    /** The channel is gone (either side closed it): release everything this session holds. */
    void onChannelClosed() {
        state = State.CLOSED;
        releaseProtocolPing();
        cancelTimer();
        leaveAll();
        outbound.close();
        node.connections().remove(this, endCode());
        node.metrics().connectionClosed(endCode());
        if (log.isDebugEnabled()) {
            log.atDebug().addKeyValue("session", id()).log("session {} ended", id());
        }
    }

    /** One command that passed {@link CommandIntake}'s checks. */
    void handle(Envelope e) {
        if (e.id() != null && e.type().clientMustSendId()) {
            track(e.id(), e.type().ordinal(), frameArrivedNanos());
        }
        switch (e.type()) {
            case PONG -> ponged();
            case PING -> send(Envelope.builder(MessageType.PONG).id(e.id()).build());
            case SUBSCRIBE -> subscribe(e);
            case UNSUBSCRIBE -> unsubscribe(e);
            case PUBLISH -> publish(e);
            case PRESENCE -> presence(e);
            case HISTORY -> history(e);
            case REFRESH -> new TokenRefresh(this, node).refresh(e); // rare: made per refresh, not kept
            case RPC -> rpc(e);
            default -> reject(e.id(), ErrorCode.UNKNOWN_TYPE, "unexpected type " + e.type().wireName());
        }
    }

    /** A refresh was granted ({@link TokenRefresh}): the new principal stands, the ack goes out, access is rechecked. */
    void adoptRefreshed(Principal next, Envelope ack) {
        principal = next;
        send(ack);
        recheckAccess(); // the new token's claims may allow less than the old one's
        reschedule();
    }

    /** Subscribes this connection to {@code channel} on the server's behalf, telling it; any thread. */
    @Override
    public void subscribeByServer(String channel) {
        onLoop(() -> {
            if (state == State.OPEN) {
                addByServer(channel);
            }
        });
    }

    /** Renews this session's presence entries; any thread. */
    @Override
    public void renewPresence() {
        onLoop(() -> {
            if (state == State.OPEN) {
                refreshPresence();
            }
        });
    }

    // ---- errors and the burst rule --------------------------------------------------------------

    void error(CommandId id, ErrorCode code, String message) {
        send(Envelope.error(id, code, message));
    }

    // ---- outbound -----------------------------------------------------------------------------

    /** Sends a push (an envelope without a command id); unlike {@link #send}, callable from any thread. */
    void push(Envelope e) {
        if (e.id() != null) {
            throw new IllegalArgumentException("a push has no command id");
        }
        send(e);
    }

    /** Sends an envelope; event loop only for replies (envelopes with a command id), see {@link #push}. */
    void send(Envelope e) {
        io.netty.buffer.ByteBuf frame = Hub.encode(channel.alloc(), outbound.format(), e, e.payload() == null ? 0 : e.payload().length);
        MessageType type = e.type();
        node.metrics().messagesOut(type, 1, frame.readableBytes());
        if (type == MessageType.ERROR) {
            ErrorCode code = ErrorCode.fromWireName(e.code());
            if (code != null) {
                node.metrics().error(code);
            }
        }
        if (e.id() != null && (type == MessageType.ACK || type == MessageType.ERROR || type == MessageType.PONG)) {
            answered(e.id(), node.metrics());
        }
        outbound.deliver(frame);
        if (closing != null && closing.awaitingAnswer() && nothingInFlight()) {
            answerPeerClose(); // the last reply the client's close frame was waiting for
        }
    }

    /** Sends one publication to this client alone (a recovered one). */
    void sendMessage(Publication p) {
        send(Hub.messageEnvelope(p));
    }

    /** The outbound bound was passed: the session closes as a slow consumer. Event loop only; nothing else calls it. */
    @Override
    public void overflowed() {
        node.metrics().slowConsumer();
        String id = id();
        log.atInfo().addKeyValue("session", id).log("session {} (user '{}') closed: slow consumer, more than {} bytes queued",
                id, LogText.escape(principal.userId()), node.config().maxQueuedBytes());
        close(CloseCode.SLOW_CONSUMER);
    }

    /**
     * Starts the closing handshake: flushes what is queued (unless the connection overflowed), sends the
     * close frame, and gives the client a grace period to answer before the socket is closed.
     */
    @Override
    public void close(CloseCode code) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> close(code));
            return;
        }
        if (state != State.OPEN) {
            return;
        }
        state = State.CLOSING;
        leaveAll(); // a closing session takes no more messages
        if (code == CloseCode.SLOW_CONSUMER) {
            outbound.close();
        } else {
            outbound.flush();
            outbound.close();
        }
        // A slow consumer's close frame waits behind what was already on its way to the client: it gets as long
        // to read that as a client has to answer a ping, so that one that resumes reading still learns 4001.
        closing = ClosingHandshake.ours(channel, code, now() + (code == CloseCode.SLOW_CONSUMER
                ? Math.max(CLOSE_GRACE_MILLIS, node.config().heartbeatTimeout().toMillis()) : CLOSE_GRACE_MILLIS));
        reschedule();
    }

    @Override
    public void abort() {
        channel.close();
    }

    /** Sends a connection-level error (no id) and then closes. */
    public void closeWithError(ErrorCode error, String message, CloseCode code) {
        onLoop(() -> {
            if (state == State.OPEN) {
                send(Envelope.error(null, error, message));
                close(code);
            }
        });
    }

    // ---- the one timer ------------------------------------------------------------------------

    /**
     * The connection's timer fired: pings, the pong and close deadlines, token expiry. The timer is a place
     * among the event loop's timers ({@link io.switchboard.server.util.LoopTimers}), not an object of its own. Event loop only; nothing
     * else calls it.
     */
    @Override
    protected void timerFired() {
        if (state == State.CLOSED) {
            return;
        }
        long now = now();
        switch (SessionDeadlines.due(now, state == State.CLOSING, closing == null ? 0 : closing.deadline(), pongDeadline(), expiryDeadline(), nextPingAt())) {
            case CLOSE_DEADLINE -> {
                if (closing.awaitingAnswer()) {
                    answerPeerClose(); // a reply is overdue: answer the close without it
                } else if (closing.expire()) {
                    // The metrics keep the code it was given.
                    log.atDebug().addKeyValue("session", id()).log("session {} reset: its close frame ({}) could not be sent", id(),
                            closing.code());
                }
                return;
            }
            case PONG_TIMEOUT -> {
                log.atInfo().addKeyValue("session", id()).log("session {} closed: no pong within {}", id(), node.config().heartbeatTimeout());
                close(CloseCode.HEARTBEAT_TIMEOUT);
                return;
            }
            case TOKEN_EXPIRED -> {
                closeWithError(ErrorCode.TOKEN_EXPIRED, "the token expired; reconnect with a new one", CloseCode.TOKEN_EXPIRED);
                return;
            }
            case PING -> {
                send(Envelope.builder(MessageType.PING).build());
                pinged(now, SessionDeadlines.pingSpacing(node.config().heartbeatInterval().toMillis(), node.timerGrainMillis()),
                        node.config().heartbeatTimeout().toMillis());
            }
            case NOTHING -> { }
        }
        reschedule();
    }

    private long expiryDeadline() {
        return principal.expires() ? principal.expiresAtMillis() + EXPIRY_GRACE_MILLIS : SessionDeadlines.NEVER;
    }

    private void reschedule() {
        armTimer(SessionDeadlines.next(state == State.CLOSING, closing == null ? 0 : closing.deadline(), pongDeadline(), expiryDeadline(), nextPingAt()));
    }

    /** Arms the timer for {@code due} (the node's clock), replacing any other arming. */
    private void armTimer(long due) {
        node.timers(channel.eventLoop()).arm(this, due);
    }

    private void cancelTimer() {
        if (timerArmed()) {
            node.timers(channel.eventLoop()).disarm(this);
        }
    }

    void onLoop(Runnable r) {
        if (channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            channel.eventLoop().execute(r);
        }
    }

    @Override
    public int connectionSlot() {
        return connectionSlot;
    }

    @Override
    public void connectionSlot(int slot) {
        connectionSlot = slot;
    }

    @Override
    public String toString() {
        return "Session[" + id() + ", user=" + principal.userId() + "]";
    }
}
