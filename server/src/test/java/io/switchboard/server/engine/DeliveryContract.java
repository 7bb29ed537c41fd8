package io.switchboard.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Live delivery and the atomic append-and-publish: a channel's publications reach the sink in the order
 * the engine accepted them, each once, with the position the publisher was given and history keeps;
 * concurrent publishers (on two nodes where the set-up is a cluster) share one gapless offset sequence;
 * the sink gets a channel only while the node is subscribed to it.
 */
public interface DeliveryContract extends ContractSupport {

    @Test
    default void publicationsReachEverySubscribedNodeInPublishOrderWithTheirPositions() {
        TestNode a = node();
        TestNode b = peer(a);
        String ch = channel("ordered");
        a.subscribe(ch);
        b.subscribe(ch);
        List<CompletableFuture<PublishResult>> sent = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            sent.add(a.publishAsync(kept(ch, "m" + i)));
        }
        List<PublishResult> results = sent.stream().map(TestNode::join).toList();
        String epoch = results.get(0).epoch();
        assertThat(epoch).isNotEmpty();
        assertThat(results).extracting(PublishResult::offset).containsExactlyElementsOf(range(1, 100));
        assertThat(results).extracting(PublishResult::epoch).containsOnly(epoch);

        for (TestNode n : List.of(a, b)) {
            n.awaitCount(ch, 100);
            List<Publication> got = n.received(ch);
            assertThat(got).extracting(Publication::offset).containsExactlyElementsOf(range(1, 100));
            assertThat(got).extracting(Publication::epoch).containsOnly(epoch);
            assertThat(n.payloads(ch)).containsExactlyElementsOf(range(1, 100).stream().map(i -> "m" + i).toList());
            assertThat(got).allSatisfy(p -> {
                assertThat(p.from()).isEqualTo("ann");
                assertThat(p.clientId()).isEqualTo("c-ann");
                assertThat(p.timestamp()).isPositive();
            });
        }
        HistoryResult h = a.history(ch, -1, 1000, false, KEEP);
        assertThat(h.epoch()).isEqualTo(epoch);
        assertThat(h.offset()).isEqualTo(100);
        assertThat(h.publications()).extracting(p -> TestNode.text(p.payload()))
                .containsExactlyElementsOf(a.payloads(ch));
        assertThat(h.publications()).extracting(Publication::offset).containsExactlyElementsOf(range(1, 100));
    }

    /**
     * Four publishers at once, two per node: every offset from 1 to N is handed out exactly once, each
     * publisher's own offsets grow in its order, and the sink and history hold, at offset k, the payload
     * whose publish was answered k.
     */
    @Test
    default void concurrentPublishersShareOneGaplessSequence() throws Exception {
        TestNode a = node();
        TestNode b = peer(a);
        String ch = channel("concurrent");
        a.subscribe(ch);
        b.subscribe(ch);
        int publishers = 4;
        int each = 150;
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        List<CompletableFuture<List<PublishResult>>> runs = new ArrayList<>();
        try {
            for (int t = 0; t < publishers; t++) {
                TestNode via = t % 2 == 0 ? a : b;
                int id = t;
                runs.add(CompletableFuture.supplyAsync(() -> {
                    List<CompletableFuture<PublishResult>> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        mine.add(via.publishAsync(kept(ch, "p" + id + "-" + i)));
                    }
                    return mine.stream().map(TestNode::join).toList();
                }, pool));
            }
            Map<Long, String> byOffset = new HashMap<>();
            for (int t = 0; t < publishers; t++) {
                List<PublishResult> mine = TestNode.join(runs.get(t));
                for (int i = 0; i < each; i++) {
                    String before = byOffset.put(mine.get(i).offset(), "p" + t + "-" + i);
                    assertThat(before).as("offset %d handed out twice", mine.get(i).offset()).isNull();
                }
                assertThat(mine).extracting(PublishResult::offset).isSorted();
            }
            int total = publishers * each;
            assertThat(byOffset.keySet()).containsExactlyInAnyOrderElementsOf(range(1, total));
            List<String> expected = range(1, total).stream().map(byOffset::get).toList();
            for (TestNode n : List.of(a, b)) {
                n.awaitCount(ch, total);
                assertThat(n.received(ch)).extracting(Publication::offset).containsExactlyElementsOf(range(1, total));
                assertThat(n.payloads(ch)).containsExactlyElementsOf(expected);
            }
            HistoryResult h = b.history(ch, -1, total, false, KEEP);
            assertThat(h.publications()).extracting(p -> TestNode.text(p.payload())).containsExactlyElementsOf(expected);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Without history there is no position; each publisher's own order is still kept, and nothing doubles. */
    @Test
    default void liveOnlyPublicationsKeepThePublishersOrderWithoutAPosition() {
        TestNode a = node();
        TestNode b = peer(a);
        String ch = channel("live");
        a.subscribe(ch);
        b.subscribe(ch);
        List<CompletableFuture<PublishResult>> sent = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            sent.add(a.publishAsync(live(ch, "m" + i)));
        }
        assertThat(sent.stream().map(TestNode::join)).allSatisfy(r -> {
            assertThat(r.hasPosition()).isFalse();
            assertThat(r.offset()).isEqualTo(-1);
        });
        String last = "end";
        a.publish(live(ch, last));
        List<String> expected = new ArrayList<>(range(1, 50).stream().map(i -> "m" + i).toList());
        expected.add(last);
        for (TestNode n : List.of(a, b)) {
            n.awaitPayload(ch, last);
            assertThat(n.payloads(ch)).containsExactlyElementsOf(expected);
            assertThat(n.received(ch)).allSatisfy(p -> {
                assertThat(p.hasPosition()).isFalse();
                assertThat(p.offset()).isEqualTo(-1);
            });
        }
    }

    /** subscribe() completes once delivery is live: a publication sent right after it is delivered. */
    @Test
    default void aPublicationRightAfterSubscribeIsDelivered() {
        TestNode a = node();
        TestNode b = peer(a);
        for (int i = 0; i < 5; i++) {
            String kept = channel("fresh-kept-" + i);
            String live = channel("fresh-live-" + i);
            a.subscribe(kept);
            b.publish(kept(kept, "first"));
            a.subscribe(live);
            b.publish(live(live, "first"));
            a.awaitPayload(kept, "first");
            a.awaitPayload(live, "first");
            assertThat(a.received(kept)).extracting(Publication::offset).containsExactly(1L);
        }
    }

    /** A channel the node never subscribed to reaches its sink not at all; the sentinel shows it would have by now. */
    @Test
    default void aChannelNeverSubscribedIsNotDelivered() {
        TestNode a = node();
        TestNode b = peer(a);
        String quiet = channel("quiet");
        String sentinel = channelBeside(quiet, "sentinel");
        a.subscribe(sentinel);
        b.publish(kept(quiet, "kept"));
        b.publish(live(quiet, "live"));
        b.publish(live(sentinel, "after"));
        a.awaitPayload(sentinel, "after");
        assertThat(a.received(quiet)).isEmpty();
    }

    /**
     * After unsubscribe the node stops getting the channel (an engine may keep delivering for a short
     * grace period, as the Redis engine does), and publications are still stored; subscribing again
     * resumes delivery.
     */
    @Test
    default void unsubscribeStopsDeliveryAndSubscribeResumesIt() {
        TestNode a = node();
        TestNode b = peer(a);
        String ch = channel("leaving");
        String sentinel = channelBeside(ch, "sentinel");
        a.subscribe(ch);
        a.subscribe(sentinel);
        b.publish(live(ch, "while-subscribed"));
        a.awaitPayload(ch, "while-subscribed");

        a.unsubscribe(ch);
        a.unsubscribe(channel("never-subscribed")); // a no-op, not an error
        awaitNotDelivered(b, a, ch, sentinel);
        PublishResult stored = b.publish(kept(ch, "stored"));
        assertThat(b.history(ch, stored.offset() - 1, 10, false, KEEP).publications())
                .extracting(p -> TestNode.text(p.payload())).containsExactly("stored");

        a.subscribe(ch);
        b.publish(live(ch, "back"));
        a.awaitPayload(ch, "back");
    }

    /**
     * Unsubscribing and at once subscribing again keeps the channel: once a channel unsubscribed at the
     * same moment has stopped (so any grace period is over), the resubscribed one still delivers.
     */
    @Test
    default void resubscribingRightAfterUnsubscribeKeepsDelivery() {
        TestNode a = node();
        TestNode b = peer(a);
        String stays = channel("stays");
        String goes = channel("goes");
        String sentinel = channelBeside(goes, "sentinel");
        for (String ch : List.of(stays, goes, sentinel)) {
            a.subscribe(ch);
        }
        a.unsubscribe(stays);
        a.unsubscribe(goes);
        a.subscribe(stays);
        awaitNotDelivered(b, a, goes, sentinel);
        b.publish(live(stays, "still here"));
        a.awaitPayload(stays, "still here");
    }

    /**
     * What the publisher gave comes out unchanged, through delivery and history: the payload's bytes
     * (newlines and all), a user id and session id in any script, and channel names with the characters
     * a broker might treat specially.
     */
    @Test
    default void payloadsNamesAndChannelsSurviveTheTripUnchanged() {
        TestNode a = node();
        TestNode b = peer(a);
        String payload = "{\"text\":\"line one\\nline two\",\n \"emoji\":\"\u00e9\u7528\ud83d\ude00\"}\n";
        for (String odd : List.of("dots.and*stars>", "sp ace", "\u00fcn\u00efc\u00f8de-\u7528\u6237", "a:b:c")) {
            String ch = channel(odd);
            a.subscribe(ch);
            PublishRequest req = new PublishRequest(ch, ContractSupport.bytes(payload), "\u00e9l\u00e8ve \u5b66\u751f", "sess\u00efon",
                    null, java.time.Duration.ZERO, KEEP);
            PublishResult r = b.publish(req);
            a.awaitCount(ch, 1);
            Publication got = a.received(ch).get(0);
            Publication stored = b.history(ch, -1, 10, false, KEEP).publications().get(0);
            for (Publication p : List.of(got, stored)) {
                assertThat(p.channel()).isEqualTo(ch);
                assertThat(p.payload()).isEqualTo(ContractSupport.bytes(payload));
                assertThat(p.from()).isEqualTo(req.from());
                assertThat(p.clientId()).isEqualTo(req.clientId());
                assertThat(p.offset()).isEqualTo(r.offset());
                assertThat(p.epoch()).isEqualTo(r.epoch());
            }
            assertThat(stored.timestamp()).isEqualTo(got.timestamp());
        }
    }

    // Not in the suite: "the publishing node's sink gets the request's ingressNanos" (PublishRequest's doc
    // comment promises it). The memory engine keeps it; both Redis set-ups deliver 0, because the publishing
    // node receives its own publication back from the broker. Reported with its reproduction in the
    // contract suite's report (issue 13, item 3); the test belongs here once the engines and the doc agree.

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }
}
