package io.switchboard.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The invariant of a subscription, fed frames directly: within an epoch no offset at or below one already
 * passed on (or named by the ack) reaches the connection, whether it arrives while the subscription is held
 * or after it went live; and an interruption stops delivery at once.
 */
class ChannelSubscriptionTest {

    final EmbeddedChannel channel = new EmbeddedChannel();
    final Outbound outbound = new Outbound(channel, 1 << 20, 1 << 16, () -> { });
    final List<Boolean> interruptions = new ArrayList<>();

    ChannelSubscription holding() {
        ChannelSubscription s = new ChannelSubscription("ch:x", outbound, null, false, false);
        s.onInterrupted((sub, wasLive) -> interruptions.add(wasLive));
        return s;
    }

    static ByteBuf frame(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    /** What the connection wrote: each frame's text (a batch of several is one JSON array). */
    List<String> written() {
        return io.switchboard.server.testing.Written.texts(channel);
    }

    @Test
    void heldFramesAtOrBelowTheAckedOffsetAreDroppedAndTheRestPassInOrder() {
        ChannelSubscription s = holding();
        s.deliver(frame("4"), 4, "E", null);
        s.deliver(frame("5"), 5, "E", null);
        s.deliver(frame("6"), 6, "E", null);
        assertThat(written()).isEmpty();
        s.goLive("E", 5);
        assertThat(written()).containsExactly("6");
    }

    @Test
    void aLiveFeedBehindTheAckIsCutToo() {
        ChannelSubscription s = holding();
        s.goLive("E", 5); // the history read saw 5; this node's live feed is still at 3
        assertThat(s.deliver(frame("4"), 4, "E", null)).isFalse();
        assertThat(s.deliver(frame("5"), 5, "E", null)).isFalse();
        assertThat(s.deliver(frame("6"), 6, "E", null)).isTrue();
        assertThat(s.deliver(frame("6"), 6, "E", null)).as("a repeat of a live offset").isFalse();
        assertThat(written()).containsExactly("6");
    }

    @Test
    void aNewEpochStartsOverAndFramesWithoutOffsetAlwaysPass() {
        ChannelSubscription s = holding();
        s.goLive("E", 5);
        assertThat(s.deliver(frame("p"), -1, null, null)).isTrue();
        assertThat(s.deliver(frame("1"), 1, "F", null)).as("offset 1 of a new stream").isTrue();
        assertThat(s.deliver(frame("2"), 2, "F", null)).isTrue();
        assertThat(written()).containsExactly("[p,1,2]");
    }

    @Test
    void anInterruptionStopsDeliveryBeforeAnyLaterFrameAndSaysWhetherItWasLive() {
        ChannelSubscription s = holding();
        s.goLive("E", 0);
        s.deliver(frame("1"), 1, "E", null);
        s.interrupted();
        assertThat(s.deliver(frame("3"), 3, "E", null)).isFalse();
        s.interrupted(); // told once
        assertThat(interruptions).containsExactly(true);
        assertThat(s.ended()).isTrue();
        assertThat(written()).containsExactly("1");
    }

    @Test
    void anInterruptionWhileHeldDropsWhatWasHeld() {
        ChannelSubscription s = holding();
        s.deliver(frame("1"), 1, "E", null);
        s.interrupted();
        s.goLive("E", 0);
        assertThat(interruptions).containsExactly(false);
        assertThat(written()).isEmpty();
    }

    @Test
    void ownPublicationsAreDroppedWithoutEcho() {
        ChannelSubscription s = new ChannelSubscription("ch:x", outbound, "me", true, false);
        assertThat(s.deliver(frame("1"), 1, "E", new String("me"))).as("an equal id, not the same string").isFalse();
        assertThat(s.deliver(frame("2"), 2, "E", "other")).isTrue();
        assertThat(s.deliver(frame("3"), 3, "E", null)).as("a publication from no session").isTrue();
        ChannelSubscription echoing = new ChannelSubscription("ch:y", outbound, null, true, false);
        assertThat(echoing.deliver(frame("4"), 4, "E", "me")).as("echo on: its own too").isTrue();
        assertThat(written()).as("queued together: one batch").containsExactly("[2,3,4]");
    }

    @Test
    void holdingMoreBytesThanTheQueueMayTakeEndsItAsASlowConsumerAndReleasesTheFrame() {
        java.util.concurrent.atomic.AtomicInteger overflows = new java.util.concurrent.atomic.AtomicInteger();
        Outbound small = new Outbound(channel, 10, 1 << 16, overflows::incrementAndGet);
        ChannelSubscription s = new ChannelSubscription("ch:x", small, null, false, false);
        ByteBuf first = frame("12345");
        ByteBuf second = frame("678901");
        assertThat(s.deliver(first, 1, "E", null)).as("5 bytes held").isTrue();
        assertThat(s.deliver(second, 2, "E", null)).as("11 bytes: over the bound of 10").isFalse();
        assertThat(second.refCnt()).as("the frame over the bound released").isZero();
        channel.runPendingTasks();
        assertThat(overflows).hasValue(1);
        s.cancel();
        assertThat(first.refCnt()).as("what was held released when it ends").isZero();
    }
}
