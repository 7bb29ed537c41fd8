package io.switchboard.server.engine;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the contract tests (the {@code *Contract} interfaces) need from the set-up they run against, and
 * the helpers they share. {@link EngineContract} implements it; each engine set-up only says how to make
 * an engine.
 */
public interface ContractSupport {

    /** History kept long enough for every test that does not test retention itself. */
    StreamOptions KEEP = new StreamOptions(1000, Duration.ofMinutes(5), Duration.ofMinutes(5));

    /** A new node of the set-up, started and ready. */
    TestNode node();

    /** True when the set-up's nodes share state (a cluster); false when each engine is a node of its own. */
    boolean sharesState();

    /** A channel name no other test uses. */
    String channel(String what);

    /**
     * A channel name no other test uses whose live publications reach a subscriber in order with
     * {@code channel}'s when one node publishes to both: the sentinel that shows a probe on {@code channel}
     * would have arrived by now. The engines promise order within a channel only. Most keep one publisher's
     * order across channels too; a Redis Cluster keeps it only within a hash slot, and its set-up overrides
     * this to find a name in {@code channel}'s slot.
     */
    default String channelBeside(String channel, String what) {
        return channel(what);
    }

    /** A second node that shares {@code first}'s state: a new node in a cluster, {@code first} itself otherwise. */
    default TestNode peer(TestNode first) {
        return sharesState() ? node() : first;
    }

    default PublishRequest kept(String channel, String payload) {
        return kept(channel, payload, KEEP);
    }

    default PublishRequest kept(String channel, String payload, StreamOptions stream) {
        return new PublishRequest(channel, bytes(payload), "ann", "c-ann", null, Duration.ZERO, stream);
    }

    default PublishRequest live(String channel, String payload) {
        return new PublishRequest(channel, bytes(payload), "ann", "c-ann", null, Duration.ZERO, null);
    }

    default PublishRequest keyed(PublishRequest r, String from, String key, Duration window) {
        return new PublishRequest(r.channel(), r.payload(), from, r.clientId(), key, window, r.stream());
    }

    /**
     * Waits until {@code subscriber} no longer gets {@code channel}'s publications: each round publishes a
     * probe to the channel and then a sentinel to {@code sentinel} (a channel the subscriber follows), both
     * from {@code publisher}, and is done when the sentinel arrives without the probe before it. One more
     * round must then be clean too. Both channels are live-only, so nothing holds a probe back for repair;
     * the sentinel must be {@linkplain #channelBeside beside} the channel, or it proves nothing.
     */
    default void awaitNotDelivered(TestNode publisher, TestNode subscriber, String channel, String sentinel) {
        AtomicInteger round = new AtomicInteger();
        await().atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).until(() -> cleanRound(publisher,
                subscriber, channel, sentinel, round.incrementAndGet()));
        if (!cleanRound(publisher, subscriber, channel, sentinel, round.incrementAndGet())) {
            throw new AssertionError(channel + " was delivered again after it had stopped");
        }
    }

    private boolean cleanRound(TestNode publisher, TestNode subscriber, String channel, String sentinel, int round) {
        String probe = "probe-" + round;
        publisher.publish(live(channel, probe));
        publisher.publish(live(sentinel, "sentinel-" + channel + "-" + round));
        subscriber.awaitPayload(sentinel, "sentinel-" + channel + "-" + round);
        return !subscriber.payloads(channel).contains(probe);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
