package io.switchboard.server.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real epoll connection on loopback, with small socket buffers (16 KiB), whose client collects what it reads:
 * from the start, or (a stalled reader) only once {@link #readAll} starts it, so that the server's side
 * ({@link #channel}) soon finds its socket full and a test can see what a write the socket takes only part
 * of does. The server's side calls the given action when its writability changes, as a connection's handler
 * does. Both ends run on the given group's loops.
 */
public final class EpollPair implements AutoCloseable {

    private final Channel server;
    private final Channel client;
    private final Channel accepted;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    public EpollPair(EventLoopGroup group, Runnable onWritabilityChanged, boolean clientReads) throws Exception {
        CompletableFuture<Channel> in = new CompletableFuture<>();
        server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.SO_SNDBUF, 16 * 1024)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        in.complete(ctx.channel());
                    }

                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        onWritabilityChanged.run();
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        client = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .option(ChannelOption.AUTO_READ, clientReads)
                .option(ChannelOption.SO_RCVBUF, 16 * 1024)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf b = (ByteBuf) msg;
                        synchronized (received) {
                            received.writeBytes(ByteBufUtil.getBytes(b));
                        }
                        b.release();
                    }
                })
                .connect(server.localAddress()).sync().channel();
        accepted = in.get(5, TimeUnit.SECONDS);
    }

    /** The server's side of the connection. */
    public Channel channel() {
        return accepted;
    }

    /**
     * Has the client read (starting it if stalled) and returns what it got once it has {@code bytes}, or after
     * 20 s what it has then (the caller's comparison says what is missing).
     */
    public byte[] readAll(int bytes) {
        if (!client.config().isAutoRead()) {
            client.config().setAutoRead(true);
            client.read();
        }
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .pollInterval(java.time.Duration.ofMillis(10)).until(() -> receivedBytes() >= bytes);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // fewer bytes than expected: returned as they are
        }
        synchronized (received) {
            return received.toByteArray();
        }
    }

    private int receivedBytes() {
        synchronized (received) {
            return received.size();
        }
    }

    @Override
    public void close() throws InterruptedException {
        client.close().sync();
        server.close().sync();
    }
}
