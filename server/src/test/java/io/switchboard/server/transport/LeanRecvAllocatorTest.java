package io.switchboard.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The receive-buffer sizing every connection gets: its rules on one handle, then on a real epoll socket,
 * where a large message must arrive whole and the buffers must grow to take it.
 */
class LeanRecvAllocatorTest {

    final EmbeddedChannel channel = new EmbeddedChannel();
    final LeanRecvAllocator.LeanHandle handle = (LeanRecvAllocator.LeanHandle) LeanRecvAllocator.INSTANCE.newHandle();
    EventLoopGroup group;

    @AfterEach
    void stop() throws InterruptedException {
        channel.finishAndReleaseAll();
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    /** One read event of these reads, each given the buffer it would get; returns whether it would go on after each. */
    boolean[] readEvent(int... bytes) {
        handle.reset(channel.config());
        boolean[] more = new boolean[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            handle.attemptedBytesRead(handle.guess());
            handle.lastBytesRead(bytes[i]);
            handle.incMessagesRead(1);
            more[i] = handle.continueReading();
        }
        handle.readComplete();
        return more;
    }

    @Test
    void startsAt2KiBAndAFullBufferMakesTheNextSixteenTimesLargerUpTo64KiB() {
        assertThat(handle.guess()).isEqualTo(2048);
        readEvent(2048);
        assertThat(handle.guess()).isEqualTo(32 * 1024);
        readEvent(32 * 1024);
        assertThat(handle.guess()).isEqualTo(64 * 1024);
        readEvent(64 * 1024);
        assertThat(handle.guess()).as("the largest").isEqualTo(64 * 1024);
    }

    @Test
    void twoSmallReadEventsInARowHalveItDownTo64Bytes() {
        readEvent(100);
        assertThat(handle.guess()).as("one small event is not enough").isEqualTo(2048);
        readEvent(100);
        assertThat(handle.guess()).isEqualTo(1024);
        for (int i = 0; i < 40; i++) {
            readEvent(1);
        }
        assertThat(handle.guess()).as("the smallest").isEqualTo(64);
    }

    @Test
    void aReadEventGoesOnWhileReadsFillTheirBufferAndStopsAtSixteen() {
        readEvent(100);
        readEvent(100); // now 1 KiB
        int size = handle.guess();
        handle.reset(channel.config());
        int reads = 0;
        do {
            handle.attemptedBytesRead(size);
            handle.lastBytesRead(size);
            handle.incMessagesRead(1);
            reads++;
            size = handle.guess();
        } while (handle.continueReading());
        assertThat(reads).isEqualTo(LeanRecvAllocator.MAX_READS_PER_EVENT);

        assertThat(readEvent(10)).as("a read that did not fill its buffer ends the event").containsExactly(false);
        assertThat(readEvent(-1)).as("the end of the stream ends it").containsExactly(false);
        channel.config().setAutoRead(false);
        assertThat(readEvent(handle.guess())).as("auto-read off ends it").containsExactly(false);
    }

    @Test
    void aLargeMessageArrivesWholeOnARealSocketAndTheBuffersGrowToTakeIt() throws Exception {
        assertThat(Epoll.isAvailable()).as("the node's transport on Linux").isTrue();
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        int total = 4 << 20;
        AtomicLong received = new AtomicLong();
        AtomicInteger largest = new AtomicInteger();
        CompletableFuture<Void> all = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, LeanRecvAllocator.INSTANCE)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf b = (ByteBuf) msg;
                        largest.accumulateAndGet(b.capacity(), Math::max);
                        if (received.addAndGet(b.readableBytes()) == total) {
                            all.complete(null);
                        }
                        b.release();
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        Channel client = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(server.localAddress()).sync().channel();
        byte[] chunk = new byte[64 * 1024];
        for (int sent = 0; sent < total; sent += chunk.length) {
            client.write(Unpooled.wrappedBuffer(chunk));
        }
        client.flush();
        all.get(20, TimeUnit.SECONDS);
        assertThat(received).hasValue(total);
        assertThat(largest.get()).as("grew past the first 2 KiB").isGreaterThan(2048);
        client.close().sync();
        server.close().sync();
    }
}
