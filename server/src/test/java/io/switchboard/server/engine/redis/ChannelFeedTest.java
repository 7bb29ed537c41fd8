package io.switchboard.server.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublicationSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A feed's ordering and repair rules, with a stream held in a list and reads answered when the test says:
 * reordered arrivals are put back in order from the stream, duplicates are dropped, and what the stream
 * no longer has is reported as a gap rather than skipped silently.
 */
class ChannelFeedTest {

    final List<Publication> stream = new ArrayList<>();
    String streamEpoch = "E";
    final List<CompletableFuture<HistoryResult>> reads = new ArrayList<>();
    final List<Long> delivered = new ArrayList<>();
    final List<String> gaps = new ArrayList<>();
    final PublicationSink sink = new PublicationSink() {
        @Override
        public void onPublication(Publication p) {
            delivered.add(p.offset());
        }

        @Override
        public void onGap(String channel) {
            gaps.add(channel);
        }
    };
    /** Retries the feed scheduled, run when the test says. */
    final List<Runnable> retries = new ArrayList<>();
    final ChannelFeed feed = new ChannelFeed("chat:x", sink, (after, limit) -> {
        CompletableFuture<HistoryResult> f = new CompletableFuture<>();
        reads.add(f);
        return f;
    }, (task, delay) -> retries.add(task));

    static Publication pub(String epoch, long offset) {
        return new Publication("chat:x", ("{\"n\":" + offset + "}").getBytes(StandardCharsets.UTF_8), "alice", offset, epoch,
                1L, null);
    }

    /** Answers the oldest pending read from the stream as it is now. */
    void answerRead(long after) {
        CompletableFuture<HistoryResult> f = reads.remove(0);
        long head = stream.isEmpty() ? 0 : stream.get(stream.size() - 1).offset();
        long earliest = stream.isEmpty() ? head + 1 : stream.get(0).offset();
        f.complete(new HistoryResult(streamEpoch, head, earliest, stream.stream().filter(p -> p.offset() > after).toList()));
    }

    void publish(long offset) {
        stream.add(pub("E", offset));
    }

    @Test
    void inOrderArrivalsPassStraightThroughAndDuplicatesAreDropped() {
        publish(3);
        feed.start(new HistoryResult("E", 2, 1, List.of()));
        feed.onPublication(pub("E", 3));
        feed.onPublication(pub("E", 3));
        feed.onPublication(pub("E", 2));
        assertThat(delivered).containsExactly(3L);
        assertThat(reads).isEmpty();
        assertThat(gaps).isEmpty();
    }

    @Test
    void aLaterOffsetFirstIsPrecededByTheMissingOnesFromTheStream() {
        feed.start(new HistoryResult("E", 2, 1, List.of()));
        publish(3);
        publish(4);
        publish(5);
        feed.onPublication(pub("E", 5)); // 3 and 4 are still on their way (another node's NATS publish)
        feed.onPublication(pub("E", 6)); // held while the repair reads
        assertThat(delivered).isEmpty();
        answerRead(2);
        feed.onPublication(pub("E", 3)); // the late originals are duplicates now
        feed.onPublication(pub("E", 4));
        assertThat(delivered).containsExactly(3L, 4L, 5L, 6L);
        assertThat(gaps).isEmpty();
    }

    @Test
    void messagesArrivingBeforeTheStartAreHeldAndCutAtTheStartPosition() {
        feed.onPublication(pub("E", 7));
        feed.onPublication(pub("E", 8));
        assertThat(delivered).isEmpty();
        feed.start(new HistoryResult("E", 7, 1, List.of())); // the sessions read the stream up to 7 themselves
        assertThat(delivered).containsExactly(8L);
        assertThat(feed.live).isCompleted();
    }

    @Test
    void whatTheStreamNoLongerHasIsReportedAsAGap() {
        feed.start(new HistoryResult("E", 2, 1, List.of()));
        publish(9); // 3..8 were trimmed away
        feed.onPublication(pub("E", 9));
        answerRead(2);
        assertThat(gaps).containsExactly("chat:x");
        assertThat(delivered).containsExactly(9L);
        feed.onPublication(pub("E", 10));
        assertThat(delivered).containsExactly(9L, 10L);
    }

    @Test
    void catchingUpAfterAReconnectReadsToTheHeadOfTheStream() {
        feed.start(new HistoryResult("E", 0, 1, List.of()));
        publish(1);
        feed.onPublication(pub("E", 1));
        publish(2); // published while the broker connection was down: nothing will show the hole
        publish(3);
        feed.catchUp();
        feed.onPublication(pub("E", 4)); // arrives during the read: held
        publish(4);
        answerRead(1);
        assertThat(delivered).containsExactly(1L, 2L, 3L, 4L);
        assertThat(gaps).isEmpty();
    }

    @Test
    void aLiveOnlyChannelCannotCatchUpSoItsSubscribersAreTold() {
        feed.start(new HistoryResult("", 0, 0, List.of()));
        feed.onPublication(new Publication("chat:x", new byte[] {'1'}, null, -1, null, 1L, null));
        feed.catchUp();
        reads.remove(0).complete(new HistoryResult("", 0, 0, List.of())); // no stream: nothing to catch up from
        assertThat(gaps).containsExactly("chat:x");
    }

    @Test
    void aStreamCreatedAfterTheStartIsCaughtUpFromItsFirstOffset() {
        feed.start(new HistoryResult("", 0, 0, List.of())); // no stream yet: a subscriber's read creates it
        publish(1);
        publish(2); // published while the broker connection was down
        feed.catchUp();
        answerRead(0);
        assertThat(delivered).containsExactly(1L, 2L);
        assertThat(gaps).isEmpty();
        feed.onPublication(pub("E", 3));
        assertThat(delivered).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aNewEpochStartingAtOneIsNoGapButOneStartingLaterIs() {
        feed.start(new HistoryResult("E", 5, 1, List.of()));
        feed.onPublication(pub("F", 1)); // the stream expired and restarted: nothing was missed
        assertThat(delivered).containsExactly(1L);
        assertThat(gaps).isEmpty();
        feed.onPublication(pub("G", 3)); // restarted again and this node missed 1 and 2 of it
        assertThat(gaps).containsExactly("chat:x");
        assertThat(delivered).containsExactly(1L, 3L);
    }

    @Test
    void aFailedRepairReadIsRetriedAndNothingPassesTheHoleMeanwhile() {
        feed.start(new HistoryResult("E", 1, 1, List.of()));
        publish(2);
        publish(3);
        publish(4);
        feed.onPublication(pub("E", 4)); // 2 and 3 missed: the pub/sub came back before the command connection
        reads.remove(0).completeExceptionally(new IllegalStateException("Redis is unavailable"));
        feed.onPublication(pub("E", 5)); // arrives while the repair waits to try again
        publish(5);
        assertThat(delivered).as("nothing after the hole before it is filled").isEmpty();
        assertThat(gaps).isEmpty();
        assertThat(retries).hasSize(1);
        retries.remove(0).run();
        reads.remove(0).completeExceptionally(new IllegalStateException("still unavailable"));
        retries.remove(0).run();
        answerRead(1);
        assertThat(delivered).containsExactly(2L, 3L, 4L, 5L);
        assertThat(gaps).isEmpty();
    }

    @Test
    void aHoleTheStreamStaysUnreadableForIsReportedBeforeAnyLaterOffset() {
        feed.start(new HistoryResult("E", 1, 1, List.of()));
        feed.onPublication(pub("E", 4));
        for (int i = 0; i < ChannelFeed.MAX_PENDING; i++) {
            feed.onPublication(pub("E", 5 + i)); // the hole is not filled while the queue behind it grows
        }
        reads.remove(0).completeExceptionally(new IllegalStateException("Redis is unavailable"));
        assertThat(retries).as("too much waiting behind the hole: no more retries").isEmpty();
        assertThat(gaps).containsExactly("chat:x");
        assertThat(delivered).hasSize(ChannelFeed.MAX_PENDING + 1).startsWith(4L, 5L);
    }

    @Test
    void aClosedFeedDeliversNothingAndDropsItsRepair() {
        feed.start(new HistoryResult("E", 1, 1, List.of()));
        feed.onPublication(pub("E", 4));
        feed.close();
        reads.remove(0).completeExceptionally(new IllegalStateException("Redis is unavailable"));
        feed.onPublication(pub("E", 5));
        assertThat(retries).isEmpty();
        assertThat(delivered).isEmpty();
        assertThat(gaps).isEmpty();
    }
}
