package io.switchboard.server.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.switchboard.server.metrics.Metrics;
import io.switchboard.server.testing.EpollPair;
import io.switchboard.server.util.ServerFrames;
import io.switchboard.server.util.Unsent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Pusher connection's queue on a real epoll socket whose reader has not started: a shared event frame sent at
 * once ({@link PusherOutbound#deliverNow}) that the socket takes only part of leaves the rest to Netty, and what
 * comes next (another shared frame, an event) queues behind it; the reader then gets every frame whole, in order,
 * and the shared frames are the callers' still, untouched.
 */
class PusherOutboundSocketTest {

    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());

    @AfterEach
    void stop() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    static ByteBuf frame(String event) {
        ByteBuf payload = Unpooled.wrappedBuffer(event.getBytes(StandardCharsets.UTF_8));
        try {
            return ServerFrames.copied(PooledByteBufAllocator.DEFAULT, ServerFrames.TEXT, 0, payload);
        } finally {
            payload.release();
        }
    }

    @Test
    void whatTheSocketDoesNotTakeOfAFrameSentAtOnceGoesToNettyAndWhatFollowsQueuesBehindIt() throws Exception {
        AtomicReference<PusherOutbound> outbound = new AtomicReference<>();
        try (EpollPair socket = new EpollPair(group, () -> outbound.get().scheduleFlush(), false)) {
            Channel ch = socket.channel();
            PusherOutbound out = new PusherOutbound(ch, 64L << 20, () -> { }, new Metrics());
            outbound.set(out);

            StringBuilder data = new StringBuilder();
            for (int i = 0; data.length() < (2 << 20); i++) {
                data.append(i);
            }
            ByteBuf big = frame("{\"event\":\"big\",\"channel\":\"news\",\"data\":\"" + data + "\"}");
            ByteBuf small = frame("{\"event\":\"small\",\"channel\":\"news\"}");
            byte[] last = "{\"event\":\"last\"}".getBytes(StandardCharsets.UTF_8);
            ByteBuf lastFrame = frame(new String(last, StandardCharsets.UTF_8));
            byte[] expected = new byte[big.readableBytes() + small.readableBytes() + lastFrame.readableBytes()];
            big.getBytes(big.readerIndex(), expected, 0, big.readableBytes());
            small.getBytes(small.readerIndex(), expected, big.readableBytes(), small.readableBytes());
            lastFrame.getBytes(lastFrame.readerIndex(), expected, big.readableBytes() + small.readableBytes(),
                    lastFrame.readableBytes());
            lastFrame.release();
            int bigIndex = big.readerIndex();

            long nettyHolds = ch.eventLoop().submit(() -> {
                out.writeDirectWhenIdle();
                out.deliverNow(big);
                long held = Unsent.bytes(ch);
                out.deliverNow(small);
                out.deliver(last);
                return held;
            }).get(5, TimeUnit.SECONDS);
            assertThat(out.writesDirect()).isTrue();
            assertThat(nettyHolds).as("the socket took part of 2 MiB; Netty holds the rest").isBetween(1L, (long) expected.length - 1);
            assertThat(big.readerIndex()).as("the shared frame is read, not moved").isEqualTo(bigIndex);
            big.release(); // the callers' references (the push's): what the queue and Netty hold are their own
            small.release();
            assertThat(socket.readAll(expected.length)).as("every frame whole, in order").isEqualTo(expected);
            // one loop runs both ends: what Netty wrote it released before the reader saw the last bytes
            assertThat(big.refCnt()).as("Netty's view of the rest released once written").isZero();
            assertThat(small.refCnt()).as("the queued view released once written").isZero();
        }
    }

    @Test
    void aFrameSentAtOnceWaitsBehindAnEventQueuedBeforeIt() throws Exception {
        AtomicReference<PusherOutbound> outbound = new AtomicReference<>();
        try (EpollPair socket = new EpollPair(group, () -> outbound.get().scheduleFlush(), false)) {
            Channel ch = socket.channel();
            PusherOutbound out = new PusherOutbound(ch, 64L << 20, () -> { }, new Metrics());
            outbound.set(out);
            byte[] first = "{\"event\":\"first\"}".getBytes(StandardCharsets.UTF_8);
            ByteBuf second = frame("{\"event\":\"second\",\"channel\":\"news\"}");
            ByteBuf firstFrame = frame(new String(first, StandardCharsets.UTF_8));
            byte[] expected = new byte[firstFrame.readableBytes() + second.readableBytes()];
            firstFrame.readBytes(expected, 0, firstFrame.readableBytes());
            second.getBytes(second.readerIndex(), expected, expected.length - second.readableBytes(), second.readableBytes());
            firstFrame.release();
            ch.eventLoop().submit(() -> {
                out.writeDirectWhenIdle();
                out.deliver(first); // queued, flushed after this task: the socket is idle and Netty holds nothing
                out.deliverNow(second);
            }).get(5, TimeUnit.SECONDS);
            second.release();
            assertThat(socket.readAll(expected.length)).as("the queued event first").isEqualTo(expected);
        }
    }
}
