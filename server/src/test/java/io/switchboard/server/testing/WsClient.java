package io.switchboard.server.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.switchboard.protocol.Decoded;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.EnvelopeDecoder;
import io.switchboard.protocol.MessageType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real WebSocket client for tests, on Netty: records every envelope it receives (array frames are
 * split), the close code, and the raw frames; can send arbitrary bytes (including invalid UTF-8),
 * stop reading (to play a slow consumer) and answer pings automatically or not.
 */
public final class WsClient implements AutoCloseable {

    // One shared I/O group for every test client in the JVM; daemon threads.
    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(2,
            new DefaultThreadFactory("test-ws-client", true), NioIoHandler.newFactory());
    private static final EnvelopeDecoder DECODER = new EnvelopeDecoder();

    public final java.util.concurrent.LinkedBlockingDeque<Envelope> received = new java.util.concurrent.LinkedBlockingDeque<>();
    public final BlockingQueue<String> rawFrames = new LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    public final CompletableFuture<FullHttpResponse> handshakeResponse = new CompletableFuture<>();
    public volatile String closeReason;
    public volatile boolean autoPong = true;
    public final AtomicInteger arrayFrames = new AtomicInteger();
    /** Frames that arrived compressed (RSV1, permessage-deflate; only with {@link Builder#deflate()}). */
    public final AtomicInteger compressedFrames = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private Channel channel;
    private String selectedSubprotocol;

    private WsClient() {
    }

    public static Builder to(int port) {
        return new Builder(port);
    }

    public static final class Builder {
        private final int port;
        private String query = "";
        private String subprotocols = "switchboard.v1.json";
        private final HttpHeaders headers = new DefaultHttpHeaders();
        private boolean autoRead = true;
        private int receiveBuffer = 0;
        private boolean tls;

        Builder(int port) {
            this.port = port;
        }

        public Builder token(String token) {
            headers.set("Authorization", "Bearer " + token);
            return this;
        }

        public Builder query(String q) {
            this.query = q;
            return this;
        }

        /** Null offers no subprotocol. */
        public Builder subprotocols(String s) {
            this.subprotocols = s;
            return this;
        }

        public Builder header(String name, String value) {
            headers.set(name, value);
            return this;
        }

        /** Speak WSS; any certificate is accepted (tests check which one was presented). */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        public Builder receiveBuffer(int bytes) {
            this.receiveBuffer = bytes;
            return this;
        }

        private boolean deflate;

        /**
         * Offers permessage-deflate ({@code client_max_window_bits}, as browsers do) and inflates the
         * compressed frames that arrive (each on its own: the server never takes over its context).
         */
        public Builder deflate() {
            deflate = true;
            headers.set("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
            return this;
        }

        /** Connects and waits for the handshake to finish (successfully or not). */
        public WsClient connect() throws Exception {
            WsClient c = new WsClient();
            URI uri = URI.create((tls ? "wss" : "ws") + "://127.0.0.1:" + port + "/ws" + (query.isEmpty() ? "" : "?" + query));
            io.netty.handler.ssl.SslContext ssl = tls ? io.netty.handler.ssl.SslContextBuilder.forClient()
                    .trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE).build() : null;
            WebSocketClientHandshaker hs = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13,
                    subprotocols, deflate, headers, 1 << 20);
            Bootstrap b = new Bootstrap().group(GROUP).channel(NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, autoRead)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (receiveBuffer > 0) {
                                ch.config().setReceiveBufferSize(receiveBuffer);
                            }
                            if (ssl != null) {
                                io.netty.handler.ssl.SslHandler h = ssl.newHandler(ch.alloc(), "127.0.0.1", port);
                                c.sslHandler = h;
                                ch.pipeline().addLast(h);
                            }
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                                    c.new Handler(hs));
                        }
                    });
            c.channel = b.connect("127.0.0.1", port).sync().channel();
            c.handshakeResponse.get(10, TimeUnit.SECONDS);
            c.selectedSubprotocol = hs.actualSubprotocol();
            return c;
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {
        private final WebSocketClientHandshaker hs;

        Handler(WebSocketClientHandshaker hs) {
            this.hs = hs;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            hs.handshake(ctx.channel());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeCode.complete(-1); // no close frame seen: abnormal closure (1006 to a browser)
            handshakeResponse.completeExceptionally(new IllegalStateException("closed during handshake"));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!hs.isHandshakeComplete() && msg instanceof FullHttpResponse res) {
                try {
                    hs.finishHandshake(ctx.channel(), res);
                    handshakeResponse.complete(res);
                } catch (RuntimeException e) {
                    handshakeResponse.complete(res); // a refused upgrade: the test inspects the status
                }
                return;
            }
            if (msg instanceof TextWebSocketFrame t) {
                String text = (t.rsv() & 4) != 0 ? inflate(t.content()) : t.text();
                rawFrames.add(text);
                if (text.startsWith("[")) {
                    arrayFrames.incrementAndGet();
                }
                try {
                    for (Decoded d : DECODER.decode(text.getBytes(StandardCharsets.UTF_8))) {
                        if (d instanceof Envelope e) {
                            if (e.type() == MessageType.PING && e.id() == null && autoPong) {
                                sendText("{\"v\":1,\"type\":\"pong\"}");
                            }
                            received.add(e);
                        }
                    }
                } catch (Exception e) {
                    throw new AssertionError("server sent an undecodable frame: " + text, e);
                }
            } else if (msg instanceof CloseWebSocketFrame c) {
                closeReason = c.reasonText();
                closeCode.complete(c.statusCode());
                ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(f -> ctx.close());
            } else if (msg instanceof PongWebSocketFrame p) {
                rawFrames.add("<pong " + p.content().toString(StandardCharsets.UTF_8) + ">");
            }
        }

        private String inflate(ByteBuf content) {
            compressedFrames.incrementAndGet();
            java.util.zip.Inflater inf = new java.util.zip.Inflater(true);
            try {
                byte[] in = io.netty.buffer.ByteBufUtil.getBytes(content);
                byte[] withTail = java.util.Arrays.copyOf(in, in.length + 4);
                withTail[in.length + 2] = (byte) 0xff;
                withTail[in.length + 3] = (byte) 0xff;
                inf.setInput(withTail);
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                byte[] chunk = new byte[8192];
                int n;
                while ((n = inf.inflate(chunk)) > 0) {
                    out.write(chunk, 0, n);
                }
                return out.toString(StandardCharsets.UTF_8);
            } catch (java.util.zip.DataFormatException e) {
                throw new AssertionError("a compressed frame that does not inflate", e);
            } finally {
                inf.end();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure = cause;
            System.err.println("test client failed: " + cause);
            ctx.close();
        }
    }

    /** The first exception the client's pipeline hit (e.g. an undecodable frame), or null. */
    public volatile Throwable failure;

    private volatile io.netty.handler.ssl.SslHandler sslHandler;

    /** The certificate the server presented (WSS only). */
    public java.security.cert.X509Certificate peerCertificate() throws Exception {
        return (java.security.cert.X509Certificate) sslHandler.engine().getSession().getPeerCertificates()[0];
    }

    public String tlsProtocol() {
        return sslHandler.engine().getSession().getProtocol();
    }

    public String subprotocol() {
        return selectedSubprotocol;
    }

    public FullHttpResponse response() throws Exception {
        return handshakeResponse.get(5, TimeUnit.SECONDS);
    }

    public String nextId() {
        return Integer.toString(ids.incrementAndGet());
    }

    public void sendText(String json) {
        channel.writeAndFlush(new TextWebSocketFrame(json));
    }

    public void sendBytes(byte[] bytes) {
        channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
    }

    public void sendBinary(byte[] bytes) {
        channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
    }

    public void sendFrame(WebSocketFrame frame) {
        channel.writeAndFlush(frame);
    }

    public void sendPing(String text) {
        ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        channel.writeAndFlush(new PingWebSocketFrame(b));
    }

    /** Stops or resumes reading from the socket (a stalled client lets the server's queue fill). */
    public void setReading(boolean reading) {
        channel.config().setAutoRead(reading);
        if (reading) {
            channel.read();
        }
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Sends a command and returns its id. */
    public String command(String type, String channelName, String extraFields) {
        String id = nextId();
        StringBuilder b = new StringBuilder("{\"v\":1,\"type\":\"").append(type).append("\",\"id\":\"").append(id).append('"');
        if (channelName != null) {
            b.append(",\"channel\":\"").append(channelName).append('"');
        }
        if (extraFields != null && !extraFields.isEmpty()) {
            b.append(',').append(extraFields);
        }
        sendText(b.append('}').toString());
        return id;
    }

    /** Sends a command and waits for the reply with its id (ack, error or pong). */
    public Envelope call(String type, String channelName, String extraFields) throws InterruptedException {
        String id = command(type, channelName, extraFields);
        return replyTo(id);
    }

    public Envelope replyTo(String id) throws InterruptedException {
        return await(e -> e.id() != null && e.id().text().equals(id)
                && (e.type() == MessageType.ACK || e.type() == MessageType.ERROR || e.type() == MessageType.PONG));
    }

    public Envelope subscribe(String channelName) throws InterruptedException {
        return call("subscribe", channelName, null);
    }

    public Envelope publish(String channelName, String payloadJson) throws InterruptedException {
        return call("publish", channelName, "\"payload\":" + payloadJson);
    }

    /** Waits up to 10 s for an envelope matching {@code p}; the others stay queued, in order. */
    public Envelope await(Predicate<Envelope> p) throws InterruptedException {
        return await(p, Duration.ofSeconds(10));
    }

    public Envelope await(Predicate<Envelope> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Envelope> skipped = new ArrayList<>();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Envelope e = received.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no matching envelope within " + timeout + "; skipped " + skipped);
                }
                if (p.test(e)) {
                    return e;
                }
                skipped.add(e);
            }
        } finally {
            for (int i = skipped.size() - 1; i >= 0; i--) {
                received.offerFirst(skipped.get(i));
            }
        }
    }

    public Envelope awaitType(MessageType t) throws InterruptedException {
        return await(e -> e.type() == t);
    }

    /** Drains and returns every message envelope received so far, plus those arriving within {@code wait}. */
    public List<Envelope> messages(int expected, Duration wait) throws InterruptedException {
        List<Envelope> out = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (out.size() < expected) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Envelope e = received.poll(left, TimeUnit.NANOSECONDS);
            if (e != null && e.type() == MessageType.MESSAGE) {
                out.add(e);
            }
        }
        return out;
    }

    public int awaitClose() throws Exception {
        return closeCode.get(15, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (channel != null && channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(1000, "bye"));
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }
}
