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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The receive-buffer sizing every connection gets: its rules on one handle and on a loop's shared one, then
 * on real epoll sockets, where large messages must arrive whole and the buffers must grow to take them.
 */
class LeanRecvAllocatorTest {

    final EmbeddedChannel channel = new EmbeddedChannel();
    final LeanRecvAllocator.LeanHandle handle = (LeanRecvAllocator.LeanHandle) LeanRecvAllocator.PER_CONNECTION.newHandle();
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
    void aLoopsSharedHandleIsItsThreadsOwnAndStartsEveryReadEventAt2KiB() throws Exception {
        LeanRecvAllocator.LeanHandle shared = (LeanRecvAllocator.LeanHandle) LeanRecvAllocator.PER_LOOP.newHandle();
        assertThat(LeanRecvAllocator.PER_LOOP.newHandle()).isSameAs(shared);
        CompletableFuture<Object> other = new CompletableFuture<>();
        Thread t = new Thread(() -> other.complete(LeanRecvAllocator.PER_LOOP.newHandle()));
        t.start();
        assertThat(other.get(5, TimeUnit.SECONDS)).isNotSameAs(shared);
        assertThat(LeanRecvAllocator.PER_CONNECTION.newHandle()).isNotSameAs(LeanRecvAllocator.PER_CONNECTION.newHandle());

        shared.reset(channel.config());
        shared.attemptedBytesRead(shared.guess());
        shared.lastBytesRead(2048);
        assertThat(shared.guess()).as("a full read grows it within the event").isEqualTo(32 * 1024);
        shared.readComplete();
        shared.reset(channel.config());
        assertThat(shared.guess()).as("the next event, maybe another connection's, starts again").isEqualTo(2048);
        for (int i = 0; i < 4; i++) {
            shared.reset(channel.config());
            shared.attemptedBytesRead(shared.guess());
            shared.lastBytesRead(10);
            shared.readComplete();
        }
        shared.reset(channel.config());
        assertThat(shared.guess()).as("nor does it shrink for the next").isEqualTo(2048);
        assertThat(LeanRecvAllocator.forTransport(Transport.EPOLL)).isSameAs(LeanRecvAllocator.PER_LOOP);
        assertThat(LeanRecvAllocator.forTransport(Transport.NIO)).isSameAs(LeanRecvAllocator.PER_LOOP);
        assertThat(LeanRecvAllocator.forTransport(Transport.IO_URING)).isSameAs(LeanRecvAllocator.PER_CONNECTION);
    }

    @Test
    void largeMessagesOnConnectionsSharingALoopsHandleArriveWholeAndTheBuffersGrowToTakeThem() throws Exception {
        largeMessagesArriveWhole(LeanRecvAllocator.PER_LOOP);
    }

    @Test
    void aLargeMessageArrivesWholeWithAHandlePerConnection() throws Exception {
        largeMessagesArriveWhole(LeanRecvAllocator.PER_CONNECTION);
    }

    /**
     * Three connections on one epoll loop each send 4 MiB at once, a pattern of their own: each must arrive
     * whole and in order, and the buffers must have grown past the first 2 KiB.
     */
    private void largeMessagesArriveWhole(LeanRecvAllocator allocator) throws Exception {
        assertThat(Epoll.isAvailable()).as("the node's transport on Linux").isTrue();
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        int total = 4 << 20;
        int clients = 3;
        AtomicInteger largest = new AtomicInteger();
        java.util.concurrent.ConcurrentHashMap<Integer, Long> received = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(clients);
        java.util.Queue<String> wrong = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, allocator)
                .childHandler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            long at; // this connection's bytes so far
                            int sender; // its first byte names it

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf b = (ByteBuf) msg;
                                largest.accumulateAndGet(b.capacity(), Math::max);
                                if (at == 0) {
                                    sender = b.getByte(b.readerIndex());
                                }
                                while (b.isReadable()) {
                                    if (b.readByte() != pattern(sender, at) && wrong.size() < 5) {
                                        wrong.add("connection " + sender + ", byte " + at);
                                    }
                                    at++;
                                }
                                b.release();
                                if (at == total) {
                                    received.put(sender, at);
                                    all.countDown();
                                }
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        java.util.List<Channel> senders = new java.util.ArrayList<>();
        for (int c = 1; c <= clients; c++) {
            senders.add(new Bootstrap().group(group).channel(EpollSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(server.localAddress()).sync().channel());
        }
        int chunk = 64 * 1024;
        for (int sent = 0; sent < total; sent += chunk) { // interleaved: the loop reads them in turns
            for (int c = 1; c <= clients; c++) {
                byte[] bytes = new byte[chunk];
                for (int i = 0; i < chunk; i++) {
                    bytes[i] = pattern(c, sent + i);
                }
                senders.get(c - 1).writeAndFlush(Unpooled.wrappedBuffer(bytes));
            }
        }
        assertThat(all.await(30, TimeUnit.SECONDS)).as("every connection's 4 MiB arrived").isTrue();
        assertThat(wrong).as("bytes out of place").isEmpty();
        assertThat(received).containsOnlyKeys(1, 2, 3).allSatisfy((sender, bytes) -> assertThat(bytes).isEqualTo(total));
        assertThat(largest.get()).as("grew past the first 2 KiB").isGreaterThan(2048);
        for (Channel c : senders) {
            c.close().sync();
        }
        server.close().sync();
    }

    /** The byte at {@code position} of what connection {@code sender} sends. */
    private static byte pattern(int sender, long position) {
        return (byte) (sender + position * 7);
    }
}
