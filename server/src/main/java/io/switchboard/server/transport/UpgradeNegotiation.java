package io.switchboard.server.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.WireFormat;
import io.switchboard.server.deflate.DeflateFrameAggregator;
import io.switchboard.server.deflate.Deflation;
import io.switchboard.server.deflate.PerMessageDeflate;
import java.util.List;

/**
 * What a {@code /ws} upgrade agrees on besides who the client is: the subprotocol (the first offered one spoken
 * here, JSON or Protobuf in the client's order; none offered means v1 JSON; only unknown ones offered: the first
 * is accepted so that a browser completes the handshake and reads the refusal's close code), permessage-deflate
 * (docs/protocol.md 1.6: only when enabled, only for a spoken subprotocol), the handshake answer that carries
 * them, and the pipeline stages an agreed deflate needs. Also the decoder settings and URL every upgrade's
 * handshaker is built with. Immutable; used on the connection's event loop by {@link HttpRequestHandler}.
 */
final class UpgradeNegotiation {

    /** The subprotocols the client offered, in its order. */
    final List<String> offered;
    /** Whether one of them (or none at all) is spoken here; when not, the connection is refused after the handshake. */
    final boolean versionOk;
    /** How the connection's frames are written and read (JSON when no offered subprotocol is spoken). */
    final WireFormat format;
    /** The subprotocol answered in the handshake, or null when the client offered none. */
    final String selected;
    /** The permessage-deflate agreement, or null. */
    final PerMessageDeflate.Agreement deflated;
    private final PerMessageDeflate deflate;

    private UpgradeNegotiation(List<String> offered, WireFormat chosen, PerMessageDeflate deflate, HttpHeaders headers) {
        this.offered = offered;
        this.versionOk = chosen != null;
        this.selected = offered.isEmpty() ? null : versionOk ? chosen.subprotocol() : offered.get(0);
        this.format = versionOk ? chosen : WireFormat.JSON;
        this.deflate = deflate;
        this.deflated = versionOk ? deflate.negotiate(headers) : null;
    }

    static UpgradeNegotiation of(HttpHeaders headers, PerMessageDeflate deflate) {
        List<String> values = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        List<String> offered = List.of();
        if (!values.isEmpty()) { // a plain loop: this runs for every connection
            java.util.ArrayList<String> all = new java.util.ArrayList<>(4);
            for (String v : values) {
                for (String s : v.split(",")) {
                    String t = s.trim();
                    if (!t.isEmpty()) {
                        all.add(t);
                    }
                }
            }
            offered = List.copyOf(all);
        }
        WireFormat chosen = offered.isEmpty() ? WireFormat.JSON : WireFormat.choose(offered);
        return new UpgradeNegotiation(offered, chosen, deflate, headers);
    }

    /** The handshaker answering with the chosen subprotocol (the request passed {@link UpgradeAdmission}: version 13). */
    WebSocketServerHandshaker handshaker(FullHttpRequest req, int maxFrameBytes) {
        return handshaker13(req, selected, decoderConfig(maxFrameBytes));
    }

    /** The frame decoder's settings for this connection (the handshaker's). */
    WebSocketDecoderConfig decoderConfig(int maxFrameBytes) {
        return decoderConfig(maxFrameBytes, deflated != null);
    }

    /**
     * Whether a session's handler may take the place of the handshake's frame decoder: yes unless
     * permessage-deflate was agreed, whose stages come between the decoder and the session.
     */
    boolean sessionDecodes() {
        return deflated == null;
    }

    /**
     * Netty's version-13 handshaker, except that every connection gets the same frame encoder: Netty's keeps
     * nothing of a connection (a server's frames are not masked), so one instance serves them all.
     */
    static WebSocketServerHandshaker handshaker13(FullHttpRequest req, String subprotocol, WebSocketDecoderConfig config) {
        return new WebSocketServerHandshaker13(websocketUrl(req), subprotocol, config) {
            @Override
            protected WebSocketFrameEncoder newWebSocketEncoder() {
                return SharedEncoder.INSTANCE;
            }
        };
    }

    @ChannelHandler.Sharable
    private static final class SharedEncoder extends WebSocket13FrameEncoder {
        static final SharedEncoder INSTANCE = new SharedEncoder();

        private SharedEncoder() {
            super(false);
        }
    }

    private record DecoderConfigs(int maxFrameBytes, WebSocketDecoderConfig plain, WebSocketDecoderConfig deflate) {
    }

    // The settings of the latest max frame size asked for: in practice the node's one, so that connections share
    // them instead of holding a copy each. Replaced whole when another size is asked (several nodes in a test JVM).
    private static volatile DecoderConfigs decoderConfigs;

    /** Writes the handshake's answer, with the extension header when deflate was agreed; throws for an invalid upgrade. */
    ChannelFuture handshake(WebSocketServerHandshaker handshaker, Channel ch, FullHttpRequest req) {
        if (deflated == null) {
            return handshaker.handshake(ch, req);
        }
        HttpHeaders answer = new DefaultHttpHeaders();
        answer.set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, deflated.response());
        return handshaker.handshake(ch, req, answer, ch.newPromise());
    }

    /**
     * The stages between the frame codec and the handler that takes the messages. For a session ({@code session}
     * true): nothing without deflate, since {@code SessionHandler} puts fragments together and checks UTF-8 itself;
     * with deflate, Netty's aggregator (refusing RSV bits on continuations) and the inflater, which hand it whole
     * messages. For a refused connection: Netty's UTF-8 check and aggregator, the inflater with deflate. With
     * deflate the agreement goes to the session's Outbound as a channel attribute.
     */
    void installStages(Channel ch, ChannelPipeline p, int maxFrameBytes, boolean session) {
        if (deflated == null) {
            if (!session) {
                HttpRequestHandler.wholeMessages(p, maxFrameBytes);
            }
            return;
        }
        p.addLast("ws-aggregate", new DeflateFrameAggregator(maxFrameBytes));
        p.addLast("ws-inflate", deflate.inflater());
        if (!session) {
            p.addLast("ws-utf8", new Utf8FrameValidator(false));
        }
        ch.attr(Deflation.KEY).set(deflated.deflation());
    }

    /** Refuses, once the handshake is written, a connection none of whose offered subprotocols is spoken here. */
    void refuseUnspoken(Channel ch, ChannelFuture done) {
        done.addListener(f -> {
            if (f.isSuccess()) {
                RefusedConnection.refuse(ch, ErrorCode.UNSUPPORTED_VERSION,
                        "none of the offered subprotocols " + offered + " is spoken here; offer " + HttpRequestHandler.SUBPROTOCOL_V1
                                + " or " + WireFormat.PROTOBUF.subprotocol(),
                        CloseCode.UNSUPPORTED_VERSION);
            }
        });
    }

    /** @param deflate whether permessage-deflate was agreed: then RSV bits pass the decoder and the inflater judges them */
    static WebSocketDecoderConfig decoderConfig(int maxFrameBytes, boolean deflate) {
        DecoderConfigs c = decoderConfigs;
        if (c == null || c.maxFrameBytes() != maxFrameBytes) {
            c = new DecoderConfigs(maxFrameBytes, buildDecoderConfig(maxFrameBytes, false), buildDecoderConfig(maxFrameBytes, true));
            decoderConfigs = c;
        }
        return deflate ? c.deflate() : c.plain();
    }

    private static WebSocketDecoderConfig buildDecoderConfig(int maxFrameBytes, boolean deflate) {
        return WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxFrameBytes)
                .allowExtensions(deflate)
                // The session closes gracefully itself (close frame, then wait for the client's), so that
                // a client still sending does not get a TCP reset that destroys the close code.
                .closeOnProtocolViolation(false)
                .withUTF8Validator(false) // the session checks UTF-8 (or Netty's validator, for the other handlers)
                .build();
    }

    static String websocketUrl(FullHttpRequest req) {
        String host = req.headers().get(HttpHeaderNames.HOST, "localhost");
        return "ws://" + host + "/ws";
    }
}
