package io.switchboard.bench;

import io.netty.buffer.ByteBuf;
import java.net.URI;
import java.util.Locale;

/**
 * A server under test and the protocol adapter the generator speaks to it. An adapter is stateless;
 * per-connection state lives in {@link Conn}. Each adapter drives a connection from the WebSocket
 * handshake to "subscribed" (or "connected" for a publisher), answers the server's heartbeats, and
 * leaves delivery counting to {@link Frames#scanSent}.
 */
enum Target {

    /** Switchboard protocol v1: token in ?access_token=, subscribe/ack by id, app-level ping/pong. */
    SWITCHBOARD("Switchboard") {
        private final byte[] subscribeAck = Frames.ascii("\"id\":\"s\"");
        private final byte[] error = Frames.ascii("\"type\":\"error\"");
        private final byte[] ping = Frames.ascii("\"type\":\"ping\"");
        private final byte[] oneMessage = Frames.ascii("{\"v\":1,\"type\":\"message\"");

        @Override
        URI uri(int port, String token) {
            return URI.create("ws://127.0.0.1:" + port + "/ws?access_token=" + token);
        }

        @Override
        String subprotocol() {
            return "switchboard.v1.json";
        }

        @Override
        void onOpen(Conn c) {
            c.connected(); // the welcome may come later; commands sent before it are fine
        }

        @Override
        void subscribe(Conn c, String channel) {
            c.send("{\"v\":1,\"type\":\"subscribe\",\"id\":\"s\",\"channel\":\"" + channel + "\"}");
        }

        @Override
        void onText(Conn c, ByteBuf text) {
            if (c.isReady() && Frames.startsWith(text, oneMessage)) {
                // A frame of one message push (the envelope's first field is its type): only its stamp counts,
                // one scan as for ws, instead of five more looking for what a message cannot be.
                c.deliveries(text);
                return;
            }
            if (Frames.contains(text, ping)) {
                c.send("{\"v\":1,\"type\":\"pong\"}");
            }
            if (Frames.contains(text, error)) {
                if (!c.isReady() && Frames.contains(text, subscribeAck)) {
                    c.fail("subscribe refused: " + text.toString(java.nio.charset.StandardCharsets.UTF_8));
                    return;
                }
                c.serverError();
            } else if (!c.isReady() && Frames.contains(text, subscribeAck)) {
                c.ready();
            }
            c.presence(text);
            c.deliveries(text);
        }

        @Override
        String publish(String channel, String payload, long seq) {
            return "{\"v\":1,\"type\":\"publish\",\"id\":" + seq + ",\"channel\":\"" + channel + "\",\"payload\":" + payload + "}";
        }
    },

    /**
     * {@link #SWITCHBOARD} with permessage-deflate (RFC 7692) negotiated: the node runs with
     * {@code --compression on}, the generator offers the extension and inflates what it gets.
     */
    SWITCHBOARD_DEFLATE("Switchboard + deflate") {
        @Override
        URI uri(int port, String token) {
            return SWITCHBOARD.uri(port, token);
        }

        @Override
        String subprotocol() {
            return SWITCHBOARD.subprotocol();
        }

        @Override
        void onOpen(Conn c) {
            SWITCHBOARD.onOpen(c);
        }

        @Override
        void subscribe(Conn c, String channel) {
            SWITCHBOARD.subscribe(c, channel);
        }

        @Override
        void onText(Conn c, ByteBuf text) {
            SWITCHBOARD.onText(c, text);
        }

        @Override
        String publish(String channel, String payload, long seq) {
            return SWITCHBOARD.publish(channel, payload, seq);
        }

        @Override
        boolean compression() {
            return true;
        }
    },

    /**
     * Switchboard protocol v1 over {@code switchboard.v1.protobuf} (docs/protocol.md 14): binary frames of
     * varint-delimited envelopes, built and read with the protocol module's codec. A delivery's payload
     * is the publisher's JSON bytes, so its stamp is found as in a text frame; other frames (the
     * subscribe's ack, pings, errors) are decoded.
     */
    SWITCHBOARD_PROTOBUF("Switchboard Protobuf") {
        @Override
        URI uri(int port, String token) {
            return SWITCHBOARD.uri(port, token);
        }

        @Override
        String subprotocol() {
            return "switchboard.v1.protobuf";
        }

        @Override
        void onOpen(Conn c) {
            c.connected();
        }

        @Override
        void subscribe(Conn c, String channel) {
            c.sendBinary(io.switchboard.protocol.ProtobufCodec.encode(io.switchboard.protocol.Envelope
                    .builder(io.switchboard.protocol.MessageType.SUBSCRIBE).id("s").channel(channel).build()));
        }

        @Override
        void onText(Conn c, ByteBuf text) {
            c.fail("a text frame on the binary subprotocol: " + text.toString(java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        void onBinary(Conn c, ByteBuf frame) {
            if (Frames.scanSent(frame, sent -> { }) > 0) {
                c.deliveries(frame);
                return;
            }
            byte[] bytes = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), bytes);
            try {
                for (io.switchboard.protocol.Decoded d : PROTOBUF_CODEC.decode(bytes)) {
                    if (!(d instanceof io.switchboard.protocol.Envelope e)) {
                        continue;
                    }
                    boolean mine = e.id() != null && "s".equals(e.id().text());
                    switch (e.type()) {
                        case PING -> c.sendBinary(io.switchboard.protocol.ProtobufCodec.encode(
                                io.switchboard.protocol.Envelope.builder(io.switchboard.protocol.MessageType.PONG).build()));
                        case ACK -> {
                            if (mine && !c.isReady()) {
                                c.ready();
                            }
                        }
                        case ERROR -> {
                            if (mine && !c.isReady()) {
                                c.fail("subscribe refused: " + e.code() + " " + e.message());
                            } else {
                                c.serverError();
                            }
                        }
                        default -> { }
                    }
                }
            } catch (io.switchboard.protocol.DecodeException bad) {
                c.fail("a frame the codec cannot read: " + bad.getMessage());
            }
        }

        @Override
        String publish(String channel, String payload, long seq) {
            throw new UnsupportedOperationException("binary: see publishFrom");
        }

        @Override
        void publishFrom(Conn c, int port, String channel, String payload, long seq, java.util.concurrent.atomic.AtomicLong errors) {
            c.sendBinary(io.switchboard.protocol.ProtobufCodec.encode(io.switchboard.protocol.Envelope
                    .builder(io.switchboard.protocol.MessageType.PUBLISH).id(Long.toString(seq)).channel(channel)
                    .payload(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8)).build()));
        }
    },

    /**
     * The same node's Pusher front door (docs/pusher.md) as pusher-js speaks it: {@code /app/{key}?protocol=7},
     * {@code pusher:subscribe} to a public channel, answered {@code pusher_internal:subscription_succeeded},
     * {@code pusher:pong} to {@code pusher:ping}; the publisher is a backend triggering through the signed HTTP
     * API ({@link PusherTrigger}). Delivered events carry the payload as a JSON string, so the stamp is escaped.
     */
    PUSHER("Switchboard (Pusher)") {
        private final byte[] established = Frames.ascii("\"event\":\"pusher:connection_established\"");
        private final byte[] succeeded = Frames.ascii("\"event\":\"pusher_internal:subscription_succeeded\"");
        private final byte[] refused = Frames.ascii("\"event\":\"pusher:subscription_error\"");
        private final byte[] error = Frames.ascii("\"event\":\"pusher:error\"");
        private final byte[] ping = Frames.ascii("\"event\":\"pusher:ping\"");

        @Override
        URI uri(int port, String token) {
            return URI.create("ws://127.0.0.1:" + port + "/app/" + PusherTrigger.KEY + "?protocol=7&client=bench&version=8.6.0");
        }

        @Override
        void onOpen(Conn c) {
            // wait for pusher:connection_established
        }

        @Override
        void subscribe(Conn c, String channel) {
            c.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}");
        }

        @Override
        void onText(Conn c, ByteBuf text) {
            if (Frames.contains(text, ping)) {
                c.send("{\"event\":\"pusher:pong\",\"data\":{}}");
                return;
            }
            if (!c.isReady()) {
                if (Frames.contains(text, established)) {
                    c.connected();
                } else if (Frames.contains(text, succeeded)) {
                    c.ready();
                } else if (Frames.contains(text, refused) || Frames.contains(text, error)) {
                    c.fail("refused: " + text.toString(java.nio.charset.StandardCharsets.UTF_8));
                }
                return;
            }
            if (Frames.contains(text, error)) {
                c.serverError();
            }
            c.deliveries(text, Frames.SENT_IN_STRING);
        }

        @Override
        String publish(String channel, String payload, long seq) {
            throw new UnsupportedOperationException("Pusher clients publish client events only; the bench triggers over HTTP");
        }

        @Override
        void publishFrom(Conn c, int port, String channel, String payload, long seq, java.util.concurrent.atomic.AtomicLong errors) {
            PusherTrigger.trigger(port, channel, payload, errors::incrementAndGet);
        }
    },

    /** bench/peers/ws-server.js: the minimal pub/sub most teams write on the ws package. */
    WS("ws") {
        private final byte[] ack = Frames.ascii("\"type\":\"ack\"");

        @Override
        URI uri(int port, String token) {
            return URI.create("ws://127.0.0.1:" + port + "/?access_token=" + token);
        }

        @Override
        void onOpen(Conn c) {
            c.connected();
        }

        @Override
        void subscribe(Conn c, String channel) {
            c.send("{\"type\":\"subscribe\",\"id\":\"s\",\"channel\":\"" + channel + "\"}");
        }

        @Override
        void onText(Conn c, ByteBuf text) {
            if (!c.isReady() && Frames.contains(text, ack)) {
                c.ready();
                return;
            }
            c.deliveries(text);
        }

        @Override
        String publish(String channel, String payload, long seq) {
            return "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"payload\":" + payload + "}";
        }
    },

    /**
     * bench/peers/socketio-server.js, spoken as Engine.IO v4 / Socket.IO v5 packets over the WebSocket
     * transport: {@code 0} open, {@code 40} namespace connect (with the token as auth), {@code 42} event,
     * {@code 43} ack, {@code 44} connect error, {@code 2}/{@code 3} ping/pong.
     */
    SOCKETIO("Socket.IO") {
        @Override
        URI uri(int port, String token) {
            return URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket");
        }

        @Override
        void onOpen(Conn c) {
            // wait for the Engine.IO open packet
        }

        @Override
        void subscribe(Conn c, String channel) {
            c.send("420[\"subscribe\",\"" + channel + "\"]");
        }

        @Override
        void onText(Conn c, ByteBuf text) {
            if (text.readableBytes() == 0) {
                return;
            }
            int r = text.readerIndex();
            byte engine = text.getByte(r);
            if (engine == '2') {
                c.send("3");
            } else if (engine == '0') {
                c.send("40{\"token\":\"" + c.token() + "\"}");
            } else if (engine == '4' && text.readableBytes() > 1) {
                byte packet = text.getByte(r + 1);
                switch (packet) {
                    case '0' -> c.connected();
                    case '3' -> c.ready();
                    case '4' -> c.fail("connect refused: " + text.toString(java.nio.charset.StandardCharsets.UTF_8));
                    case '2' -> c.deliveries(text);
                    default -> { }
                }
            }
        }

        @Override
        String publish(String channel, String payload, long seq) {
            return "42[\"publish\",\"" + channel + "\"," + payload + "]";
        }
    };

    private static final io.switchboard.protocol.ProtobufCodec PROTOBUF_CODEC = new io.switchboard.protocol.ProtobufCodec();

    private final String label;

    Target(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Target of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }

    abstract URI uri(int port, String token);

    String subprotocol() {
        return null;
    }

    /** The WebSocket handshake completed. */
    abstract void onOpen(Conn c);

    abstract void subscribe(Conn c, String channel);

    abstract void onText(Conn c, ByteBuf text);

    /** A binary frame: none of the JSON targets expects one. */
    void onBinary(Conn c, ByteBuf frame) {
        c.fail("an unexpected binary frame");
    }

    /** Whether the generator offers permessage-deflate (and the node is started with it on). */
    boolean compression() {
        return false;
    }

    /** One publish command carrying {@code payload} (a JSON object) to {@code channel}. */
    abstract String publish(String channel, String payload, long seq);

    /** Publishes {@code payload} to {@code channel} as this target's publishers do: a command on {@code c}. */
    void publishFrom(Conn c, int port, String channel, String payload, long seq, java.util.concurrent.atomic.AtomicLong errors) {
        c.send(publish(channel, payload, seq));
    }

    /** Whether the server under test is a Switchboard node (the heap can be read with jcmd). */
    boolean isSwitchboard() {
        return this == SWITCHBOARD || this == PUSHER || this == SWITCHBOARD_DEFLATE || this == SWITCHBOARD_PROTOBUF;
    }
}
