package io.switchboard.server.util;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.switchboard.server.testing.EpollPair;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Frames put straight on a real epoll socket: whole when the socket takes them, in order with what Netty
 * holds (never ahead of it), the rest left to Netty when the socket is full; and only for channels whose
 * pipeline would not have changed the bytes.
 */
class SocketWritesTest {

    EventLoopGroup group;
    EpollPair pair;
    Channel accepted;

    @BeforeEach
    void start() {
        assertThat(Epoll.isAvailable()).as("the node's transport on Linux").isTrue();
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (pair != null) {
            pair.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    /** An accepted epoll channel and a client that collects what it reads (reading only once told to). */
    void connect(boolean clientReads) throws Exception {
        pair = new EpollPair(group, () -> { }, clientReads);
        accepted = pair.channel();
    }

    byte[] receivedBytes(int expected) {
        return pair.readAll(expected);
    }

    /** Bytes that do not repeat within a socket buffer's length, so a misplaced chunk shows. */
    static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + i / 251);
        }
        return bytes;
    }

    static ByteBuf direct(byte[] bytes) {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        return b.writeBytes(bytes);
    }

    @Test
    void aFrameGoesWholeOnTheSocketAndIsReleased() throws Exception {
        connect(true);
        assertThat(SocketWrites.eligible(accepted)).isTrue();
        ByteBuf frame = direct("hello".getBytes());
        boolean[] went = accepted.eventLoop().submit(() -> new boolean[] {SocketWrites.write(accepted, frame)}).get(5, TimeUnit.SECONDS);
        assertThat(went[0]).isTrue();
        assertThat(frame.refCnt()).as("released once on the socket").isZero();
        assertThat(new String(receivedBytes(5))).isEqualTo("hello");
    }

    @Test
    void aFrameOnTheHeapIsLeftToNetty() throws Exception {
        connect(true);
        ByteBuf frame = Unpooled.wrappedBuffer("xhello".getBytes()).skipBytes(1);
        assertThat(accepted.eventLoop().submit(() -> SocketWrites.write(accepted, frame)).get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(frame.readerIndex()).as("untouched").isEqualTo(1);
        accepted.writeAndFlush(frame).sync();
        assertThat(new String(receivedBytes(5))).isEqualTo("hello");
    }

    @Test
    void nothingOvertakesWhatNettyHoldsWrittenOrFlushed() throws Exception {
        connect(true);
        ByteBuf frame = direct("second".getBytes());
        boolean went = accepted.eventLoop().submit(() -> {
            accepted.write(Unpooled.wrappedBuffer("first;".getBytes()), accepted.voidPromise()); // written, not flushed
            boolean w = SocketWrites.write(accepted, frame);
            if (!w) {
                accepted.write(frame, accepted.voidPromise());
            }
            accepted.flush();
            return w;
        }).get(5, TimeUnit.SECONDS);
        assertThat(went).as("Netty held a write: the frame must queue behind it").isFalse();
        assertThat(new String(receivedBytes(12))).isEqualTo("first;second");
    }

    @Test
    void whatAFullSocketDoesNotTakeIsLeftToNettyAndArrivesInOrder() throws Exception {
        connect(false); // a reader that has not started reading
        byte[] big = pattern(4 << 20); // far more than both sockets' buffers take
        ByteBuf frame = direct(big);
        int[] seen = accepted.eventLoop().submit(() -> {
            boolean w = SocketWrites.write(accepted, frame);
            int readerIndex = frame.readerIndex();
            if (!w) {
                accepted.writeAndFlush(frame, accepted.voidPromise()); // the rest, as Outbound does
            }
            ByteBuf one = direct(new byte[] {1});
            boolean again = SocketWrites.write(accepted, one);
            if (!again) {
                one.release();
            }
            return new int[] {w ? 1 : 0, readerIndex, again ? 1 : 0};
        }).get(5, TimeUnit.SECONDS);
        assertThat(seen[0]).as("a full socket takes part of it").isZero();
        assertThat(seen[1]).as("the reader index moves past what went").isBetween(1, big.length - 1);
        assertThat(seen[2]).as("nothing goes straight while Netty holds the rest").isZero();
        assertThat(receivedBytes(big.length)).isEqualTo(big);
    }

    @Test
    void onlyAnEpollChannelWithoutOutboundStagesIsEligible() throws Exception {
        connect(true);
        accepted.pipeline().addFirst("tls-like", new ChannelOutboundHandlerAdapter());
        assertThat(SocketWrites.eligible(accepted)).as("a stage that may change the bytes").isFalse();
        accepted.pipeline().remove("tls-like");
        assertThat(SocketWrites.eligible(accepted)).isTrue();

        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            CompletableFuture<Channel> other = new CompletableFuture<>();
            Channel nioServer = new ServerBootstrap().group(nio).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            other.complete(ctx.channel());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Channel nioClient = new Bootstrap().group(nio).channel(NioSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).connect(nioServer.localAddress()).sync().channel();
            assertThat(SocketWrites.eligible(other.get(5, TimeUnit.SECONDS))).as("not an epoll socket").isFalse();
            nioClient.close().sync();
            nioServer.close().sync();
        } finally {
            nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void writeNowLeavesTheBytesAsTheyWereAndSaysHowManyWent() throws Exception {
        connect(false); // a reader that has not started reading
        byte[] big = pattern(4 << 20);
        ByteBuf shared = direct(big);
        int[] seen = accepted.eventLoop().submit(() -> {
            int first = SocketWrites.writeNow(accepted, shared);
            int readerIndex = shared.readerIndex();
            accepted.writeAndFlush(shared.retainedSlice(first, big.length - first), accepted.voidPromise());
            int second = SocketWrites.writeNow(accepted, shared);
            return new int[] {first, readerIndex, shared.refCnt(), second};
        }).get(5, TimeUnit.SECONDS);
        assertThat(seen[0]).as("part of it went").isBetween(1, big.length - 1);
        assertThat(seen[1]).as("indices untouched").isZero();
        assertThat(seen[2]).as("reference count untouched").isEqualTo(2); // ours and the slice Netty holds
        assertThat(seen[3]).as("not tried while Netty holds the rest").isEqualTo(-1);
        assertThat(receivedBytes(big.length)).isEqualTo(big);
        shared.release();
    }

    @Test
    void nothingGoesFromAnotherThreadThanTheChannelsLoop() throws Exception {
        connect(true);
        ByteBuf frame = direct("elsewhere".getBytes());
        assertThat(SocketWrites.writeNow(accepted, frame)).isEqualTo(-1);
        assertThat(SocketWrites.write(accepted, frame)).isFalse();
        assertThat(frame.refCnt()).isEqualTo(1);
        assertThat(accepted.eventLoop().submit(() -> SocketWrites.write(accepted, frame)).get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(receivedBytes(9))).isEqualTo("elsewhere");
    }

    @Test
    void aClosedChannelTakesNothing() throws Exception {
        connect(true);
        accepted.close().sync();
        ByteBuf frame = direct("late".getBytes());
        assertThat(accepted.eventLoop().submit(() -> SocketWrites.write(accepted, frame)).get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(accepted.eventLoop().submit(() -> SocketWrites.writeNow(accepted, frame)).get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(frame.refCnt()).as("still the caller's").isEqualTo(1);
        frame.release();
    }
}
