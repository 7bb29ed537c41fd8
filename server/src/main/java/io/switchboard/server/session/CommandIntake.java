package io.switchboard.server.session;

import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.CommandId;
import io.switchboard.protocol.Commands;
import io.switchboard.protocol.DecodeException;
import io.switchboard.protocol.Decoded;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.MessageType;
import io.switchboard.protocol.Rejected;
import io.switchboard.protocol.WireFormat;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.metrics.Metrics;
import io.switchboard.server.util.LogText;
import io.switchboard.server.util.TokenBucket;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound side of a {@link Session}: turns each whole WebSocket message into commands for
 * {@link Session#handle}, and owns the rules on the way in: the frame kind of the subprotocol, decoding,
 * the command rate ({@code rate_limited}, then close 4003 for a client that keeps on), the protocol's
 * checks, and the bad-input burst rule (close 4002). Logs under the session's logger. Event loop only.
 */
final class CommandIntake {

    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final Session session;
    private BurstWindow badInput; // created by the first bad command: most connections never send one
    private final TokenBucket commandRate; // null when unlimited
    private BurstWindow overRate; // created by the first command over the rate
    private boolean rateLimitLogged;
    private long frameArrivedNanos; // System.nanoTime() when the frame being handled arrived

    /** @param config the node's (the session's own is read from it again when needed) */
    CommandIntake(Session session, ServerConfig config) {
        this.session = session;
        this.commandRate = config.limits().commandsPerSecond() > 0
                ? new TokenBucket(config.limits().commandsPerSecond(), config.limits().commandBurst(), System.nanoTime()) : null;
    }

    /** {@link System#nanoTime()} when the frame being handled arrived. */
    long frameArrivedNanos() {
        return frameArrivedNanos;
    }

    /** See {@link Session#onFrame}. */
    void onFrame(byte[] frame, boolean text) {
        WireFormat format = session.format();
        Metrics metrics = session.metrics();
        if (text == format.text()) {
            decodeAndHandle(frame);
        } else if (session.isOpen()) {
            metrics.frameIn(frame.length, null);
            metrics.frameRejected(format, "wrong_kind");
            reject(null, ErrorCode.BAD_REQUEST, (text ? "text" : "binary") + " frames are not accepted on "
                    + format.subprotocol() + (text ? ": send binary frames" : ": send JSON in text frames"));
        }
    }

    private void decodeAndHandle(byte[] frame) {
        if (!session.isOpen()) {
            return;
        }
        WireFormat format = session.format();
        Metrics metrics = session.metrics();
        frameArrivedNanos = System.nanoTime();
        List<Decoded> decoded;
        try {
            decoded = format.decode(frame);
        } catch (DecodeException e) {
            metrics.frameIn(frame.length, null);
            metrics.frameRejected(format, "malformed");
            reject(null, e.code(), e.getMessage());
            return;
        }
        metrics.frameIn(frame.length, decoded.size() == 1 && decoded.get(0) instanceof Envelope one ? one.type() : null);
        for (Decoded d : decoded) {
            if (!session.isOpen()) {
                return;
            }
            if (d instanceof Rejected r) {
                reject(r.id(), r.code(), r.message());
                continue;
            }
            Envelope e = (Envelope) d;
            metrics.messageIn(e.type());
            if (commandRate != null && e.type() != MessageType.PONG && !commandRate.tryTake(System.nanoTime())) {
                rateLimited(e);
                continue;
            }
            Rejected r = Commands.check(e);
            if (r != null) {
                reject(r.id(), r.code(), r.message());
            } else {
                session.handle(e);
            }
        }
    }

    /** An error caused by malformed input: counted against the burst limit. */
    void reject(CommandId commandId, ErrorCode code, String message) {
        ServerConfig config = session.config();
        session.error(commandId, code, message);
        if (badInput == null) {
            badInput = new BurstWindow(config.limits().errorBurstLimit(), config.limits().errorBurstWindow());
        }
        if (badInput.countIsOver(session.now())) {
            log.atInfo().addKeyValue("session", session.id()).log("session {} closed: more than {} bad commands in {}", session.id(),
                    config.limits().errorBurstLimit(), config.limits().errorBurstWindow());
            session.close(CloseCode.TOO_MANY_ERRORS);
        }
    }

    /** A command over the rate: refused; a client that keeps on regardless is closed with 4003. */
    private void rateLimited(Envelope e) {
        String id = session.id();
        ServerConfig config = session.config();
        session.metrics().rateLimitedCommand();
        if (!rateLimitLogged) {
            rateLimitLogged = true; // once per connection, not per refused command
            log.atInfo().addKeyValue("session", id).log("session {} (user '{}') is over {} commands per second; refusing with rate_limited",
                    id, LogText.escape(session.principal().userId()), config.limits().commandsPerSecond());
        }
        session.error(e.id(), ErrorCode.RATE_LIMITED, "more than " + config.limits().commandsPerSecond() + " commands per second; slow down");
        if (overRate == null) {
            overRate = new BurstWindow(config.limits().errorBurstLimit(), config.limits().errorBurstWindow());
        }
        if (overRate.countIsOver(session.now())) {
            log.atInfo().addKeyValue("session", id).log("session {} closed: kept exceeding {} commands per second", id, config.limits().commandsPerSecond());
            session.close(CloseCode.RATE_LIMITED);
        }
    }
}
