package io.switchboard.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.Namespaces;
import io.switchboard.server.engine.Broker;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.PresenceUpdate;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.engine.PublishResult;
import io.switchboard.server.engine.StreamOptions;
import io.switchboard.server.engine.Streams;
import io.switchboard.server.metrics.Metrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hub with a recording broker: one engine subscription per channel however many local members, a
 * publication encoded once and shared by every member, presence pushes only where the namespace asks for
 * them, and a gap told to every member.
 */
class HubTest {

    final List<String> brokerCalls = new ArrayList<>();
    final Broker broker = new Broker() {
        @Override
        public CompletableFuture<Void> subscribe(String channel) {
            brokerCalls.add("subscribe " + channel);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> unsubscribe(String channel) {
            brokerCalls.add("unsubscribe " + channel);
            return CompletableFuture.completedFuture(null);
        }
    };
    final Streams streams = new Streams() {
        @Override
        public CompletableFuture<PublishResult> publish(PublishRequest request) {
            return CompletableFuture.completedFuture(PublishResult.NO_POSITION);
        }

        @Override
        public CompletableFuture<HistoryResult> history(String channel, HistoryQuery query, StreamOptions stream) {
            throw new UnsupportedOperationException();
        }
    };
    final Metrics metrics = new Metrics();
    final java.util.concurrent.ScheduledExecutorService presenceTimer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    // presence-window 0: each change is pushed at once as a presenceUpdate (the windows have their own test)
    final Hub hub = new Hub(broker, streams, PooledByteBufAllocator.DEFAULT, Namespaces.builder()
            .put(NamespaceConfig.plain("room").withPresence(true, true).withPresenceWindow(java.time.Duration.ZERO, 0))
            .put(NamespaceConfig.plain("quiet").withPresence(true, false)).build(), metrics, presenceTimer, 64 * 1024);

    /** A member that keeps what it is handed. */
    static class Member implements Subscriber {
        final List<ByteBuf> frames = new ArrayList<>();
        final List<Long> offsets = new ArrayList<>();
        int interruptions;

        @Override
        public boolean deliver(ByteBuf frame, long offset, String epoch, String clientId) {
            frames.add(frame);
            offsets.add(offset);
            return true;
        }

        @Override
        public void interrupted() {
            interruptions++;
        }

        String text(int i) {
            return frames.get(i).toString(StandardCharsets.UTF_8);
        }

        void release() {
            frames.forEach(ByteBuf::release);
        }
    }

    /** A member of the binary subprotocol. */
    static final class ProtobufMember extends Member {
        @Override
        public io.switchboard.protocol.WireFormat format() {
            return io.switchboard.protocol.WireFormat.PROTOBUF;
        }

        io.switchboard.protocol.proto.Envelope decoded(int i) throws Exception {
            ByteBuf f = frames.get(i).duplicate();
            return io.switchboard.protocol.proto.Envelope.parseDelimitedFrom(new io.netty.buffer.ByteBufInputStream(f));
        }
    }

    final Member a = new Member();
    final Member b = new Member();
    final ProtobufMember c = new ProtobufMember();
    final ProtobufMember d = new ProtobufMember();

    @AfterEach
    void release() {
        a.release();
        b.release();
        c.release();
        d.release();
        metrics.close();
        presenceTimer.shutdownNow();
    }

    static Publication pub(String channel, long offset) {
        return new Publication(channel, "{\"n\":1}".getBytes(StandardCharsets.UTF_8), "ann", offset, "E", 1L, null);
    }

    @Test
    void theEngineSeesOneSubscriptionPerChannelWhateverTheMembers() {
        hub.subscribe("room:x", a);
        hub.subscribe("room:x", b);
        hub.unsubscribe("room:x", a);
        assertThat(brokerCalls).containsExactly("subscribe room:x");
        hub.unsubscribe("room:x", b);
        assertThat(brokerCalls).containsExactly("subscribe room:x", "unsubscribe room:x");
        assertThat(hub.channelCount()).isZero();
    }

    /** Every local subscription of a channel can keep the hub's one copy of its name (issue 16, memory). */
    @Test
    void aChannelWithMembersLendsItsNameAndAnUnknownOneIsGivenBack() {
        String first = new String("room:shared".toCharArray());
        hub.subscribe(first, a);
        String parsedAgain = new String("room:shared".toCharArray());
        assertThat(hub.sharedName(parsedAgain)).isSameAs(first);
        String unknown = new String("room:other".toCharArray());
        assertThat(hub.sharedName(unknown)).isSameAs(unknown);
        hub.unsubscribe(first, a);
        assertThat(hub.sharedName(parsedAgain)).isSameAs(parsedAgain);
    }

    @Test
    void aPublicationIsEncodedOnceAndItsBytesSharedByEveryMember() {
        hub.subscribe("room:x", a);
        hub.subscribe("room:x", b);
        hub.onPublication(pub("room:x", 7));
        assertThat(a.frames).hasSize(1);
        assertThat(b.frames).hasSize(1);
        // One memory under both members' views: a byte written through one is read through the other. (Comparing
        // the views' unwrap() would fail now and then, when the leak detector wraps a sampled buffer.)
        ByteBuf viewA = a.frames.get(0);
        ByteBuf viewB = b.frames.get(0);
        byte first = viewB.getByte(viewB.readerIndex());
        viewA.setByte(viewA.readerIndex(), 'X');
        assertThat(viewB.getByte(viewB.readerIndex())).as("the same bytes").isEqualTo((byte) 'X');
        viewA.setByte(viewA.readerIndex(), first);
        assertThat(a.text(0)).contains("\"type\":\"message\"", "\"offset\":7", "\"payload\":{\"n\":1}");
        assertThat(a.offsets).containsExactly(7L);
    }

    /** True when two views share their memory: a byte written through one is read through the other. */
    static boolean sameBytes(ByteBuf x, ByteBuf y) {
        byte first = y.getByte(y.readerIndex());
        byte probe = (byte) (first ^ 0x5A);
        x.setByte(x.readerIndex(), probe);
        boolean same = y.getByte(y.readerIndex()) == probe;
        x.setByte(x.readerIndex(), first);
        return same;
    }

    @Test
    void aPublicationIsEncodedOncePerWireFormatPresentAmongTheMembers() throws Exception {
        hub.subscribe("room:x", a);
        hub.subscribe("room:x", c);
        hub.subscribe("room:x", b);
        hub.subscribe("room:x", d);
        byte[] binary = {0, (byte) 0xFF, 'x', 1};
        hub.onPublication(new Publication("room:x", binary, "ann", 9, "E", 1L, null));
        assertThat(List.of(a.frames.size(), b.frames.size(), c.frames.size(), d.frames.size())).containsOnly(1);
        assertThat(sameBytes(a.frames.get(0), b.frames.get(0))).as("JSON members share one encode").isTrue();
        assertThat(sameBytes(c.frames.get(0), d.frames.get(0))).as("Protobuf members share one encode").isTrue();
        assertThat(sameBytes(a.frames.get(0), c.frames.get(0))).as("each format has its own").isFalse();
        // JSON members get a payload that is not JSON in base64; Protobuf members get the bytes themselves.
        assertThat(a.text(0)).contains("\"type\":\"message\"", "\"payloadBase64\":\"AP94AQ==\"").doesNotContain("\"payload\":");
        io.switchboard.protocol.proto.Envelope pe = c.decoded(0);
        assertThat(pe.getType()).isEqualTo(io.switchboard.protocol.proto.Type.MESSAGE);
        assertThat(pe.getPayload().toByteArray()).isEqualTo(binary);
        assertThat(pe.getOffset()).isEqualTo(9);
        assertThat(pe.getChannel()).isEqualTo("room:x");
    }

    @Test
    void aChannelOfOneFormatIsEncodedInThatFormatOnly() throws Exception {
        hub.subscribe("room:p", c);
        hub.onPublication(pub("room:p", 3));
        assertThat(c.decoded(0).getPayload().toStringUtf8()).isEqualTo("{\"n\":1}");
        assertThat(metrics.registry().get("switchboard.bytes.out").tag("type", "message").counter().count())
                .as("the bytes counted are the Protobuf frame's").isEqualTo(c.frames.get(0).readableBytes());
    }

    @Test
    void presencePushesGoOnlyToNamespacesWithJoinLeave() {
        hub.subscribe("room:x", a);
        hub.subscribe("quiet:x", b);
        hub.onPresenceUpdate(new PresenceUpdate("quiet:x", "ann", true, 1L, 1, 1));
        hub.onPresenceUpdate(new PresenceUpdate("room:x", "ann", true, 1L, 1, 2));
        assertThat(b.frames).isEmpty();
        assertThat(a.frames).hasSize(1);
        assertThat(a.text(0)).contains("\"type\":\"presenceUpdate\"", "\"status\":\"online\"");
    }

    @Test
    void aGapIsToldToEveryMemberOfThatChannelOnly() {
        hub.subscribe("room:x", a);
        hub.subscribe("room:y", b);
        hub.onGap("room:x");
        assertThat(a.interruptions).isOne();
        assertThat(b.interruptions).isZero();
    }

    /** A member served on an event loop: records what it gets there, and how much it had got when interrupted. */
    static final class LoopMember implements Subscriber {
        final io.netty.channel.EventLoop loop;
        final List<Long> offsets = new ArrayList<>();
        final List<String> wrongThread = new ArrayList<>();
        final java.util.concurrent.CountDownLatch interrupted = new java.util.concurrent.CountDownLatch(1);
        volatile int offsetsWhenInterrupted = -1;

        LoopMember(io.netty.channel.EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public io.netty.util.concurrent.EventExecutor executor() {
            return loop;
        }

        final List<Boolean> sentNow = new ArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public boolean deliverNow(Push push, long offset, String epoch, String clientId) {
            sentNow.add(true);
            return record(push, offset);
        }

        @Override
        public boolean deliver(Push push, long offset, String epoch, String clientId) {
            sentNow.add(false);
            return record(push, offset);
        }

        private boolean record(Push push, long offset) {
            if (!loop.inEventLoop()) {
                wrongThread.add(Thread.currentThread().getName());
            }
            ByteBuf f = push.frame(format());
            boolean framed = (f.getByte(f.readerIndex()) & 0xFF) == 0x81; // FIN + text
            f.release();
            offsets.add(framed ? offset : -offset);
            received.incrementAndGet(); // after the lists: a reader that sees the count sees them
            return true;
        }

        @Override
        public boolean deliver(ByteBuf frame, long offset, String epoch, String clientId) {
            throw new AssertionError("the hub hands a push, not a buffer");
        }

        @Override
        public void interrupted() {
            offsetsWhenInterrupted = offsets.size();
            interrupted.countDown();
        }
    }

    @Test
    void membersOnEventLoopsGetEveryPushThereInOrderAndAGapAfterThePushesBeforeIt() throws Exception {
        io.netty.channel.DefaultEventLoopGroup loops = new io.netty.channel.DefaultEventLoopGroup(2);
        try {
            List<LoopMember> members = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                LoopMember m = new LoopMember(loops.next());
                members.add(m);
                hub.subscribe("room:x", m);
            }
            int n = 2_000;
            List<Long> expected = new ArrayList<>();
            for (long k = 1; k <= n; k++) {
                hub.onPublication(pub("room:x", k)); // from this thread, as from an engine's
                expected.add(k);
            }
            hub.onGap("room:x");
            for (LoopMember m : members) {
                assertThat(m.interrupted.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(m.offsetsWhenInterrupted).as("the gap comes after every push before it").isEqualTo(n);
                assertThat(m.offsets).as("each push once, framed, in order").isEqualTo(expected);
                assertThat(m.wrongThread).isEmpty();
            }
            // every share of every push was counted once the last one ended
            assertThat(metrics.registry().get("switchboard.messages.out").tag("type", "message").counter().count())
                    .isEqualTo((double) n * members.size());
        } finally {
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void anIdleLoopsTaskIsToldToSendAtOnceABusyLoopAndAShareRunInLineToQueue() throws Exception {
        io.netty.channel.DefaultEventLoopGroup loops = new io.netty.channel.DefaultEventLoopGroup(1);
        try {
            LoopMember m = new LoopMember(loops.next());
            hub.subscribe("room:x", m);
            hub.onPublication(pub("room:x", 1)); // the loop is idle: nothing behind it
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> m.received.get() == 1);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            m.loop.execute(() -> {
                try {
                    go.await(); // the loop is busy while three more pushes arrive
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (long k = 2; k <= 4; k++) {
                hub.onPublication(pub("room:x", k));
            }
            go.countDown();
            // no task of the test's own on the loop meanwhile: it would make the loop look behind
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> m.received.get() == 4);
            m.loop.submit(() -> hub.onPublication(pub("room:x", 5))).get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(m.offsets).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(m.sentNow).as("behind: queue (to leave together); nothing waiting: at once; in line with the"
                    + " engine's call: queue").containsExactly(true, false, false, true, false);
        } finally {
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    /** One NIO event loop (a SingleThreadEventLoop, with after-iteration tasks) for {@code test}, shut down after. */
    private static void onOneLoop(org.assertj.core.api.ThrowingConsumer<io.netty.channel.EventLoop> test) throws Exception {
        io.netty.channel.MultiThreadIoEventLoopGroup loops =
                new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
        try {
            test.accept(loops.next());
        } finally {
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    /** {@code n} members of room:x served on {@code loop}. */
    private List<LoopMember> membersOn(io.netty.channel.EventLoop loop, int n) {
        List<LoopMember> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            LoopMember m = new LoopMember(loop);
            members.add(m);
            hub.subscribe("room:x", m);
        }
        return members;
    }

    @Test
    void aLargeGroupOnThePublishersOwnLoopIsATaskThatSendsAtOnceThoughTheLoopsFlushWaits() throws Exception {
        onOneLoop(loop -> {
            List<LoopMember> members = membersOn(loop, 40); // a large group: at least Hub.IN_LINE_BELOW on the loop
            int inLine = loop.submit(() -> {
                // a connection's flush waits for the end of this iteration, as after the publisher's ack
                io.switchboard.server.util.LoopFlush.later((io.netty.channel.SingleThreadEventLoop) loop, () -> { });
                hub.onPublication(pub("room:x", 1)); // published on the members' own loop, as by one of them
                return members.stream().mapToInt(m -> m.received.get()).sum();
            }).get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(inLine).as("not delivered in line: a task of its own").isZero();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> members.stream().allMatch(m -> m.received.get() == 1));
            for (LoopMember m : members) {
                assertThat(m.offsets).containsExactly(1L);
                assertThat(m.sentNow).as("nothing but the loop's flush waits: at once").containsExactly(true);
                assertThat(m.wrongThread).isEmpty();
            }
        });
    }

    @Test
    void aGroupThatCrossesTheInLineSizeBetweenPublicationsStillTakesThemInOrder() throws Exception {
        onOneLoop(loop -> {
            List<LoopMember> members = membersOn(loop, 31); // one under Hub.IN_LINE_BELOW: served in line on its loop
            LoopMember passing = new LoopMember(loop);
            loop.submit(() -> {
                hub.onPublication(pub("room:x", 1)); // 31: in line
                hub.subscribe("room:x", passing);
                hub.onPublication(pub("room:x", 2)); // 32: a task, still queued when...
                hub.unsubscribe("room:x", passing);
                hub.onPublication(pub("room:x", 3)); // ...31 again: must queue behind it, not go in line
                hub.onGap("room:x"); // and the gap after all three
            }).get(30, java.util.concurrent.TimeUnit.SECONDS);
            for (LoopMember m : members) {
                assertThat(m.interrupted.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(m.offsets).containsExactly(1L, 2L, 3L);
                assertThat(m.offsetsWhenInterrupted).isEqualTo(3);
            }
        });
    }
}
