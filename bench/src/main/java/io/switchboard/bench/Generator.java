package io.switchboard.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Netty side of the load generator: one event-loop group (epoll when it loads) that opens
 * WebSocket connections from a chosen loopback source address, so that one process can hold tens of
 * thousands of connections without running out of ephemeral ports on a single address.
 */
final class Generator implements AutoCloseable {

    /** Connections per source address before moving on to the next one (127.0.0.2, .3, ...). */
    static final int PER_SOURCE_ADDRESS = 2000;

    /** Bytes read from the servers' sockets by every connection of this generator, as they came off the wire. */
    final java.util.concurrent.atomic.LongAdder wireBytesIn = new java.util.concurrent.atomic.LongAdder();
    private final io.netty.channel.ChannelHandler wireBytes = new WireBytes(wireBytesIn);
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final int port;

    Generator(int threads, int port) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bench-io", true), factory);
        this.port = port;
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
    }

    /** The source address of the connection with global index {@code i}: 127.0.0.(2 + base) and up. */
    static InetSocketAddress sourceAddress(int i, int base) {
        return sourceAddress(i, base, 0);
    }

    /** As {@link #sourceAddress(int, int)}, in 127.0.{@code block}.x: block 0 is the measured connections', others a warm-up's. */
    static InetSocketAddress sourceAddress(int i, int base, int block) {
        int host = 2 + (base + i / PER_SOURCE_ADDRESS) % 250;
        return new InetSocketAddress("127.0." + block + "." + host, 0);
    }

    /** Opens a connection; the returned future completes when it is subscribed (or connected, without a channel). */
    CompletableFuture<Conn> open(Conn conn, int globalIndex, int sourceBase) {
        return open(conn, globalIndex, sourceBase, 0);
    }

    /** As {@link #open(Conn, int, int)}, from the source address block {@code block} ({@link #sourceAddress(int, int, int)}). */
    CompletableFuture<Conn> open(Conn conn, int globalIndex, int sourceBase, int block) {
        Target t = conn.target();
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(t.uri(port, conn.token()))
                .subprotocol(t.subprotocol())
                .version(WebSocketVersion.V13)
                .allowExtensions(t.compression())
                .customHeaders(new DefaultHttpHeaders())
                .maxFramePayloadLength(1 << 20)
                .handshakeTimeoutMillis(30_000)
                .handleCloseFrames(false)
                .dropPongFrames(true)
                .build();
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                        .addLast(wireBytes)
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(64 * 1024));
                if (t.compression()) {
                    // Offers server_no_context_takeover: the node always answers with it (RFC 7692 7.1.1.1 allows
                    // that unasked), and Netty's client refuses an answer with a parameter it did not request.
                    ch.pipeline().addLast(new io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler(
                            new io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker(
                                    6, false, 15, true, true)));
                }
                ch.pipeline()
                        .addLast(new WebSocketClientProtocolHandler(config))
                        .addLast(new WebSocketFrameAggregator(1 << 20))
                        .addLast(conn);
            }
        });
        ChannelFuture f = b.connect(new InetSocketAddress("127.0.0.1", port), sourceAddress(globalIndex, sourceBase, block));
        f.addListener(done -> {
            if (!done.isSuccess()) {
                conn.readyFuture().completeExceptionally(done.cause());
            }
        });
        return conn.readyFuture();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static void closeAll(Iterable<Conn> conns) {
        for (Conn c : conns) {
            c.close();
        }
    }

    /** Counts what the socket delivers before any decoding (first in every pipeline; shared). */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class WireBytes extends io.netty.channel.ChannelInboundHandlerAdapter {
        private final java.util.concurrent.atomic.LongAdder bytes;

        WireBytes(java.util.concurrent.atomic.LongAdder bytes) {
            this.bytes = bytes;
        }

        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.buffer.ByteBuf b) {
                bytes.add(b.readableBytes());
            }
            ctx.fireChannelRead(msg);
        }
    }
}
