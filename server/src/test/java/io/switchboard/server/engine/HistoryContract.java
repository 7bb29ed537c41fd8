package io.switchboard.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * History streams: a read creates an empty stream whose epoch the first publication keeps; paging
 * forwards from a position and newest first, at the limit's edges; retention by count and by age, and
 * how a read shows what fell out of it; a stream that expired comes back with a new epoch.
 */
public interface HistoryContract extends ContractSupport {

    @Test
    default void aChannelWithoutPublicationsHasAnEmptyStreamWhoseEpochTheFirstPublishKeeps() {
        TestNode a = node();
        TestNode b = peer(a);
        String ch = channel("empty");
        HistoryResult empty = a.history(ch, -1, 10, false, KEEP);
        assertThat(empty.epoch()).isNotEmpty();
        assertThat(empty.offset()).isZero();
        assertThat(empty.earliest()).isEqualTo(1);
        assertThat(empty.publications()).isEmpty();
        assertThat(b.history(ch, -1, 10, false, KEEP).epoch()).isEqualTo(empty.epoch());

        PublishResult first = b.publish(kept(ch, "first"));
        assertThat(first).isEqualTo(new PublishResult(1, empty.epoch()));
    }

    @Test
    default void pagesForwardFromAPosition() {
        TestNode a = node();
        String ch = channel("forward");
        publishTen(a, ch);
        assertThat(offsets(a.history(ch, -1, 3, false, KEEP))).containsExactly(1L, 2L, 3L);
        assertThat(offsets(a.history(ch, 3, 3, false, KEEP))).containsExactly(4L, 5L, 6L);
        assertThat(offsets(a.history(ch, 6, 3, false, KEEP))).containsExactly(7L, 8L, 9L);
        assertThat(offsets(a.history(ch, 9, 3, false, KEEP))).containsExactly(10L);
        assertThat(offsets(a.history(ch, 10, 3, false, KEEP))).isEmpty();
        assertThat(offsets(a.history(ch, 0, 3, false, KEEP))).containsExactly(1L, 2L, 3L);
        HistoryResult page = a.history(ch, 4, 2, false, KEEP);
        assertThat(page.publications()).extracting(p -> TestNode.text(p.payload())).containsExactly("m5", "m6");
        assertThat(page.offset()).isEqualTo(10);
        assertThat(page.earliest()).isEqualTo(1);
    }

    @Test
    default void pagesNewestFirst() {
        TestNode a = node();
        String ch = channel("reverse");
        publishTen(a, ch);
        assertThat(offsets(a.history(ch, -1, 3, true, KEEP))).containsExactly(10L, 9L, 8L);
        assertThat(offsets(a.history(ch, 0, 3, true, KEEP))).containsExactly(10L, 9L, 8L);
        assertThat(offsets(a.history(ch, 7, 10, true, KEEP))).containsExactly(10L, 9L, 8L);
        assertThat(offsets(a.history(ch, 9, 10, true, KEEP))).containsExactly(10L);
        assertThat(offsets(a.history(ch, 10, 10, true, KEEP))).isEmpty();
        assertThat(offsets(a.history(ch, -1, 10, true, KEEP))).containsExactly(10L, 9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L);
    }

    @Test
    default void theLimitsEdges() {
        TestNode a = node();
        String ch = channel("limits");
        String epoch = publishTen(a, ch);
        for (boolean reverse : new boolean[] {false, true}) {
            HistoryResult position = a.history(ch, -1, 0, reverse, KEEP);
            assertThat(position.publications()).as("limit 0 reads the position only").isEmpty();
            assertThat(position.offset()).isEqualTo(10);
            assertThat(position.epoch()).isEqualTo(epoch);
            assertThat(offsets(a.history(ch, -1, 1, reverse, KEEP))).containsExactly(reverse ? 10L : 1L);
            assertThat(offsets(a.history(ch, -1, 10, reverse, KEEP))).hasSize(10);
            assertThat(offsets(a.history(ch, -1, 11, reverse, KEEP))).hasSize(10);
            assertThat(offsets(a.history(ch, -1, Integer.MAX_VALUE, reverse, KEEP))).hasSize(10);
            HistoryResult ahead = a.history(ch, 50, 10, reverse, KEEP);
            assertThat(ahead.publications()).as("a position ahead of the stream reads nothing").isEmpty();
            assertThat(ahead.offset()).isEqualTo(10);
        }
    }

    /** Only the newest {@code size} are kept; a read from before them shows it by {@code earliest}. */
    @Test
    default void sizeKeepsOnlyTheNewest() {
        TestNode a = node();
        String ch = channel("size");
        StreamOptions three = new StreamOptions(3, Duration.ofMinutes(5), Duration.ofMinutes(5));
        for (int i = 1; i <= 5; i++) {
            a.publish(kept(ch, "m" + i, three));
        }
        HistoryResult fromStart = a.history(ch, 0, 10, false, three);
        assertThat(fromStart.earliest()).as("offsets 1 and 2 are out of retention").isEqualTo(3);
        assertThat(fromStart.offset()).isEqualTo(5);
        assertThat(offsets(fromStart)).containsExactly(3L, 4L, 5L);
        assertThat(offsets(a.history(ch, -1, 2, false, three))).containsExactly(3L, 4L);
        assertThat(offsets(a.history(ch, -1, 2, true, three))).containsExactly(5L, 4L);
        assertThat(offsets(a.history(ch, 3, 10, false, three))).containsExactly(4L, 5L);
    }

    /** Publications older than the TTL are dropped; the stream and its offsets live on. */
    @Test
    default void ttlDropsOldPublicationsButTheStreamLivesOn() {
        TestNode a = node();
        String ch = channel("ttl");
        StreamOptions shortLived = new StreamOptions(100, Duration.ofMillis(300), Duration.ofMinutes(5));
        PublishResult first = a.publish(kept(ch, "m1", shortLived));
        a.publish(kept(ch, "m2", shortLived));
        TestNode.eventually().until(() -> a.history(ch, -1, 10, false, shortLived).publications().isEmpty());
        HistoryResult after = a.history(ch, -1, 10, false, shortLived);
        assertThat(after.offset()).isEqualTo(2);
        assertThat(after.earliest()).isEqualTo(3);
        assertThat(after.epoch()).isEqualTo(first.epoch());

        PublishResult third = a.publish(kept(ch, "m3", shortLived));
        assertThat(third).isEqualTo(new PublishResult(3, first.epoch()));
        HistoryResult now = a.history(ch, 0, 10, false, shortLived);
        assertThat(offsets(now)).containsExactly(3L);
        assertThat(now.earliest()).isEqualTo(3);
    }

    /**
     * A stream that saw no publication for its stream TTL is lost; the next one starts over at offset 1
     * with a new epoch, and a subscribed node delivers it.
     */
    @Test
    default void aStreamThatExpiredComesBackWithANewEpoch() {
        TestNode a = node();
        TestNode b = peer(a);
        String ch = channel("epoch");
        a.subscribe(ch);
        StreamOptions brief = new StreamOptions(100, Duration.ofMinutes(5), Duration.ofMillis(300));
        for (int i = 1; i <= 3; i++) {
            b.publish(kept(ch, "old" + i, brief));
        }
        String oldEpoch = b.history(ch, -1, 0, false, brief).epoch();
        a.awaitCount(ch, 3);

        AtomicReference<HistoryResult> lost = new AtomicReference<>();
        TestNode.eventually().until(() -> {
            lost.set(b.history(ch, -1, 10, false, brief));
            return !lost.get().epoch().equals(oldEpoch);
        });
        assertThat(lost.get().offset()).isZero();
        assertThat(lost.get().publications()).isEmpty();

        PublishResult fresh = b.publish(kept(ch, "new", brief));
        assertThat(fresh.offset()).isEqualTo(1);
        assertThat(fresh.epoch()).isNotEqualTo(oldEpoch);
        a.awaitPayload(ch, "new");
        Publication delivered = a.received(ch).get(a.received(ch).size() - 1);
        assertThat(delivered.offset()).isEqualTo(1);
        assertThat(delivered.epoch()).isEqualTo(fresh.epoch());
        assertThat(a.payloads(ch)).containsExactly("old1", "old2", "old3", "new");
    }

    /** Publishes m1..m10 with {@link #KEEP}; returns the epoch. */
    private String publishTen(TestNode n, String ch) {
        String epoch = null;
        for (int i = 1; i <= 10; i++) {
            epoch = n.publish(kept(ch, "m" + i)).epoch();
        }
        return epoch;
    }

    private static List<Long> offsets(HistoryResult h) {
        return h.publications().stream().map(Publication::offset).toList();
    }
}
