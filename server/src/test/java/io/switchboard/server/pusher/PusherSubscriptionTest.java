package io.switchboard.server.pusher;

import static io.switchboard.server.testing.Buffers.root;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.hub.Push;
import io.switchboard.server.metrics.Metrics;
import io.switchboard.server.testing.Written;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A publication as Pusher subscriptions pass it on: one event frame for the channel, made once from the push
 * and written as it is by every subscriber (not the publisher's own connection), held back as the event's
 * bytes until the subscription is live.
 */
class PusherSubscriptionTest {

    static final String EVENT = "{\"event\":\"update\",\"channel\":\"news\",\"data\":\"{\\\"n\\\":1}\"}";

    final List<EmbeddedChannel> channels = new ArrayList<>();

    PusherSubscription subscription(String socketId) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channels.add(channel);
        PusherOutbound out = new PusherOutbound(channel, 1 << 20, () -> { }, new Metrics());
        return new PusherSubscription("news", "pusher.1:news", PusherChannels.Kind.PUBLIC, null, socketId, out,
                user -> CompletableFuture.completedFuture(null));
    }

    static Push publication(String payload) {
        return new Push(PooledByteBufAllocator.DEFAULT, Envelope.builder(MessageType.MESSAGE).channel("pusher.1:news")
                .ts(1L).payload(payload.getBytes(StandardCharsets.UTF_8)).build(), payload.length());
    }

    @AfterEach
    void finish() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @Test
    void aPublicationBecomesOneEventFrameThatEverySubscriberWritesAsItIs() {
        PusherSubscription a = subscription("1.1");
        PusherSubscription b = subscription("1.2");
        PusherSubscription publisher = subscription("1.3");
        a.goLive();
        b.goLive();
        publisher.goLive();
        Push push = publication("{\"event\":\"update\",\"data\":\"{\\\"n\\\":1}\"}");
        assertThat(a.deliver(push, -1, null, "1.3")).isTrue();
        assertThat(b.deliverNow(push, -1, null, "1.3")).isTrue();
        assertThat(publisher.deliver(push, -1, null, "1.3")).as("not echoed to its own connection").isFalse();
        push.release(); // the hub's, after the last subscriber: what the connections queued stays theirs
        channels.forEach(EmbeddedChannel::runPendingTasks);
        ByteBuf toA = channels.get(0).readOutbound();
        ByteBuf toB = channels.get(1).readOutbound();
        try {
            assertThat(root(toA)).as("the same bytes, not a copy per subscriber").isSameAs(root(toB));
            assertThat(toA.toString(StandardCharsets.UTF_8)).endsWith(EVENT);
            channels.get(0).writeOutbound(toA.retain()); // read back as a client would
            assertThat(Written.texts(channels.get(0))).containsExactly(EVENT);
        } finally {
            toA.release();
            toB.release();
        }
        assertThat((Object) channels.get(0).readOutbound()).isNull();
        assertThat((Object) channels.get(1).readOutbound()).isNull();
        assertThat((Object) channels.get(2).readOutbound()).isNull();
    }

    @Test
    void aSubscriptionNotYetLiveHoldsTheEventAndPassesItOnWhenLive() {
        PusherSubscription s = subscription("1.1");
        Push push = publication("{\"event\":\"update\",\"data\":\"{\\\"n\\\":1}\"}");
        assertThat(s.deliverNow(push, 7, null, null)).isTrue();
        push.release();
        assertThat(Written.texts(channels.get(0))).as("held until subscription_succeeded").isEmpty();
        s.goLive();
        assertThat(Written.texts(channels.get(0))).containsExactly(EVENT);
    }

    @Test
    void aPayloadThatIsNoPusherEventArrivesAsEventMessageAndOneThatIsNoJsonAsEventMessageWithoutData() {
        PusherSubscription s = subscription("1.1");
        s.goLive();
        Push plain = publication("{\"n\":1}");
        // not JSON (a binary publish; the envelope carries it as payloadBase64), though a lenient parser reads an
        // event in the one and a number in the other
        Push binary = publication("{\"event\":\"x\"}\u0000");
        Push junk = publication("123 garbage");
        assertThat(s.deliver(plain, -1, null, null)).isTrue();
        assertThat(s.deliver(binary, -1, null, null)).isTrue();
        assertThat(s.deliver(junk, -1, null, null)).isTrue();
        assertThat(s.deliveredBytes(plain)).as("PusherOutbound counts what it writes").isEqualTo(
                io.switchboard.server.hub.Subscriber.COUNTED_ELSEWHERE);
        plain.release();
        binary.release();
        junk.release();
        assertThat(Written.texts(channels.get(0))).containsExactly(
                "{\"event\":\"message\",\"channel\":\"news\",\"data\":\"{\\\"n\\\":1}\"}",
                "{\"event\":\"message\",\"channel\":\"news\",\"data\":\"\"}",
                "{\"event\":\"message\",\"channel\":\"news\",\"data\":\"\"}");
    }
}
