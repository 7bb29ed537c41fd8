package io.switchboard.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Idempotency keys: a key seen on a channel within its window gets the first result and publishes
 * nothing (through any node of a cluster); keys belong to their channel and their publisher; after the
 * window the same key publishes again.
 */
public interface IdempotencyContract extends ContractSupport {

    Duration WINDOW = Duration.ofMinutes(1);

    @Test
    default void aRetriedKeyGetsTheFirstResultAndIsStoredAndDeliveredOnce() {
        TestNode a = node();
        TestNode b = peer(a);
        String ch = channel("retry");
        a.subscribe(ch);
        PublishResult first = a.publish(keyed(kept(ch, "once"), "ann", "k1", WINDOW));
        PublishResult again = b.publish(keyed(kept(ch, "twice?"), "ann", "k1", WINDOW));
        assertThat(again).isEqualTo(first);
        assertThat(first.offset()).isEqualTo(1);
        PublishResult next = a.publish(kept(ch, "next"));
        assertThat(next.offset()).isEqualTo(2);
        assertThat(next.epoch()).isEqualTo(first.epoch());

        a.awaitPayload(ch, "next");
        assertThat(a.payloads(ch)).containsExactly("once", "next");
        assertThat(a.history(ch, -1, 10, false, KEEP).publications())
                .extracting(p -> TestNode.text(p.payload())).containsExactly("once", "next");
    }

    /** Retries racing each other through two nodes: one of them publishes, every one gets its result. */
    @Test
    default void concurrentRetriesOfOneKeyPublishOnce() {
        TestNode a = node();
        TestNode b = peer(a);
        String ch = channel("racing-retries");
        java.util.List<java.util.concurrent.CompletableFuture<PublishResult>> tries = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            tries.add((i % 2 == 0 ? a : b).publishAsync(keyed(kept(ch, "try" + i), "ann", "k", WINDOW)));
        }
        java.util.List<PublishResult> results = tries.stream().map(TestNode::join).toList();
        assertThat(results).containsOnly(results.get(0));
        HistoryResult h = a.history(ch, -1, 100, false, KEEP);
        assertThat(h.offset()).isEqualTo(1);
        assertThat(h.publications()).hasSize(1);
        assertThat(results.get(0)).isEqualTo(new PublishResult(1, h.epoch()));
    }

    @Test
    default void aKeyBelongsToItsChannelAndItsPublisher() {
        TestNode a = node();
        TestNode b = peer(a);
        String one = channel("one");
        String two = channel("two");
        a.subscribe(one);
        a.subscribe(two);
        PublishResult ann = a.publish(keyed(kept(one, "ann"), "ann", "k", WINDOW));
        PublishResult otherChannel = b.publish(keyed(kept(two, "ann elsewhere"), "ann", "k", WINDOW));
        PublishResult otherUser = b.publish(keyed(kept(one, "bo"), "bo", "k", WINDOW));
        PublishResult anonymous = a.publish(keyed(kept(one, "anon"), null, "k", WINDOW));
        PublishResult anonymousAgain = b.publish(keyed(kept(one, "anon again"), null, "k", WINDOW));

        assertThat(ann.offset()).isEqualTo(1);
        assertThat(otherChannel.offset()).isEqualTo(1);
        assertThat(otherUser.offset()).isEqualTo(2);
        assertThat(anonymous.offset()).isEqualTo(3);
        assertThat(anonymousAgain).as("anonymous publishers share one key space").isEqualTo(anonymous);
        a.publish(kept(one, "end"));
        a.awaitPayload(one, "end");
        assertThat(a.payloads(one)).containsExactly("ann", "bo", "anon", "end");
        assertThat(a.payloads(two)).containsExactly("ann elsewhere");
    }

    /** Retries within the window publish nothing; the first try after it publishes once more. */
    @Test
    default void aKeyIsNewAgainAfterItsWindow() {
        TestNode a = node();
        String ch = channel("window");
        a.subscribe(ch);
        Duration window = Duration.ofMillis(300);
        PublishResult first = a.publish(keyed(kept(ch, "first"), "ann", "k", window));
        AtomicReference<PublishResult> retry = new AtomicReference<>();
        TestNode.eventually().until(() -> {
            retry.set(a.publish(keyed(kept(ch, "retry"), "ann", "k", window)));
            return retry.get().offset() != first.offset();
        });
        assertThat(retry.get().offset()).isEqualTo(2);
        PublishResult retryAgain = a.publish(keyed(kept(ch, "retry"), "ann", "k", window));
        assertThat(retryAgain).as("the new publish starts a window of its own").isEqualTo(retry.get());
        assertThat(a.history(ch, -1, 10, false, KEEP).publications())
                .extracting(p -> TestNode.text(p.payload())).containsExactly("first", "retry");
        a.publish(kept(ch, "end"));
        a.awaitPayload(ch, "end");
        assertThat(a.payloads(ch)).containsExactly("first", "retry", "end");
    }

    @Test
    default void aRetriedLiveOnlyPublishIsDeliveredOnce() {
        TestNode a = node();
        TestNode b = peer(a);
        String ch = channel("live-retry");
        a.subscribe(ch);
        PublishResult first = a.publish(keyed(live(ch, "once"), "ann", "k", WINDOW));
        // Two nodes' live publications have no order between them (each node has its own connection to the
        // broker): wait for the first, so that "end", from the same node as the retry, is the sentinel.
        a.awaitPayload(ch, "once");
        PublishResult again = b.publish(keyed(live(ch, "twice?"), "ann", "k", WINDOW));
        assertThat(first.hasPosition()).isFalse();
        assertThat(again.hasPosition()).isFalse();
        b.publish(live(ch, "end"));
        a.awaitPayload(ch, "end");
        assertThat(a.payloads(ch)).containsExactly("once", "end");
    }
}
