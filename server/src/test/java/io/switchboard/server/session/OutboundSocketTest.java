package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.switchboard.protocol.WireFormat;
import io.switchboard.server.hub.Push;
import io.switchboard.server.testing.EpollPair;
import io.switchboard.server.util.Unsent;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection's queue on a real epoll socket whose reader has not started: a push sent at once
 * ({@link Outbound#deliverNow}) that the socket takes only part of leaves the rest to Netty, and the next push
 * queues behind it; the reader then gets both frames whole, in order.
 */
class OutboundSocketTest {

    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());

    @AfterEach
    void stop() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    static Push push(String payload) {
        return OutboundTest.push(payload);
    }

    @Test
    void whatTheSocketDoesNotTakeOfAPushSentAtOnceGoesToNettyAndTheNextPushQueuesBehindIt() throws Exception {
        AtomicReference<Outbound> outbound = new AtomicReference<>();
        try (EpollPair socket = new EpollPair(group, () -> outbound.get().scheduleFlush(), false)) {
            Channel ch = socket.channel();
            Outbound out = new Outbound(ch, WireFormat.JSON, 64L << 20, 1 << 16, () -> { });
            outbound.set(out);

            StringBuilder digits = new StringBuilder("\"");
            for (int i = 0; digits.length() < (2 << 20); i++) {
                digits.append(i);
            }
            Push big = push(digits.append('"').toString());
            Push small = push("{\"n\":2}");
            ByteBuf bigFrame = big.frame(WireFormat.JSON);
            ByteBuf smallFrame = small.frame(WireFormat.JSON);
            byte[] expected = new byte[bigFrame.readableBytes() + smallFrame.readableBytes()];
            bigFrame.getBytes(bigFrame.readerIndex(), expected, 0, bigFrame.readableBytes());
            smallFrame.getBytes(smallFrame.readerIndex(), expected, bigFrame.readableBytes(), smallFrame.readableBytes());
            bigFrame.release();
            smallFrame.release();

            long nettyHolds = ch.eventLoop().submit(() -> {
                out.writeDirectWhenIdle();
                out.deliverNow(big);
                long held = Unsent.bytes(ch);
                out.deliverNow(small);
                return held;
            }).get(5, TimeUnit.SECONDS);
            big.release();
            small.release();
            assertThat(out.writesDirect()).isTrue();
            assertThat(nettyHolds).as("the socket took part of 2 MiB; Netty holds the rest").isBetween(1L, (long) expected.length - 1);
            assertThat(socket.readAll(expected.length)).as("both frames whole, the second after the first").isEqualTo(expected);
        }
    }
}
