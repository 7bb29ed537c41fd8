package io.switchboard.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.engine.EventQueue.ConnectionRecord;
import io.switchboard.server.engine.EventQueue.NewEvent;
import io.switchboard.server.engine.EventQueue.OrphanedNode;
import io.switchboard.server.engine.EventQueue.QueuedEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The event queues behind webhooks: append order and per-key sequence numbers across nodes, events that
 * count occupancy, removal and dead letters with their replay, one delivery lease at a time, and the
 * records of a dead node handed to one claimer and turned into events once.
 */
public interface EventQueueContract extends ContractSupport {

    private static NewEvent event(String id, String key, List<String> queues) {
        return NewEvent.plain(id, key, queues, ContractSupport.bytes("{\"id\":\"" + id + "\"}"));
    }

    private static List<String> ids(List<QueuedEvent> events) {
        return events.stream().map(QueuedEvent::id).toList();
    }

    @Test
    default void eventsKeepAppendOrderAndNumberEachKeyAcrossNodes() {
        TestNode a = node();
        TestNode b = peer(a);
        String q1 = channel("q1");
        String q2 = channel("q2");
        String user = channel("user-ann");
        String other = channel("user-bo");
        TestNode.join(a.events().appendEvents(List.of(), List.of(event("e1", user, List.of(q1, q2)), event("e2", other, List.of(q1)))));
        TestNode.join(b.events().appendEvents(List.of(), List.of(event("e3", user, List.of(q1)))));
        TestNode.join(a.events().appendEvents(List.of(), List.of(event("e4", user, List.of(q2)))));
        List<QueuedEvent> first = TestNode.join(b.events().peekEvents(q1, 10));
        assertThat(ids(first)).containsExactly("e1", "e2", "e3");
        assertThat(first).extracting(QueuedEvent::seq).containsExactly(1L, 1L, 2L);
        assertThat(first).extracting(QueuedEvent::key).containsExactly(user, other, user);
        assertThat(TestNode.text(first.get(0).body())).isEqualTo("{\"id\":\"e1\"}");
        assertThat(first.get(0).createdAt()).isPositive();
        List<QueuedEvent> second = TestNode.join(a.events().peekEvents(q2, 10));
        assertThat(ids(second)).containsExactly("e1", "e4");
        assertThat(second).extracting(QueuedEvent::seq).containsExactly(1L, 3L);
        assertThat(TestNode.join(a.events().peekEvents(q1, 2))).hasSize(2);
        assertThat(TestNode.join(a.events().peekEvents(channel("never"), 10))).isEmpty();
    }

    @Test
    default void aCountedEventIsAppendedOnlyWhenItsCounterCrossesZero() {
        TestNode a = node();
        TestNode b = peer(a);
        String q = channel("occupancy");
        String counter = channel("chat:room");
        var up = (java.util.function.IntFunction<NewEvent>) n -> new NewEvent("up" + n, counter, List.of(q), ContractSupport.bytes("{}"), counter, 1);
        var down = (java.util.function.IntFunction<NewEvent>) n -> new NewEvent("down" + n, counter, List.of(q), ContractSupport.bytes("{}"), counter, -1);
        TestNode.join(a.events().appendEvents(List.of(), List.of(up.apply(1))));
        TestNode.join(b.events().appendEvents(List.of(), List.of(up.apply(2))));
        TestNode.join(a.events().appendEvents(List.of(), List.of(down.apply(1))));
        TestNode.join(b.events().appendEvents(List.of(), List.of(down.apply(2), up.apply(3), down.apply(3))));
        // A stray decrement (a subscriber counted nowhere) does not announce anything or go below zero.
        TestNode.join(a.events().appendEvents(List.of(), List.of(down.apply(4), up.apply(5))));
        assertThat(ids(TestNode.join(a.events().peekEvents(q, 10)))).containsExactly("up1", "down2", "up3", "down3", "up5");
    }

    @Test
    default void removedEventsAreGoneAndDeadLettersCanBeReplayedWithTheirIdsAndNumbers() {
        TestNode a = node();
        TestNode b = peer(a);
        String q = channel("deliver");
        String key = channel("key");
        TestNode.join(a.events().appendEvents(List.of(), List.of(event("d1", key, List.of(q)), event("d2", key, List.of(q)),
                event("d3", key, List.of(q)), event("d4", key, List.of(q)))));
        List<QueuedEvent> all = TestNode.join(b.events().peekEvents(q, 10));
        TestNode.join(b.events().removeEvents(q, List.of(all.get(0)), false));
        TestNode.join(b.events().removeEvents(q, List.of(all.get(1), all.get(2)), true));
        TestNode.join(b.events().removeEvents(q, List.of(all.get(0)), true)); // already gone: ignored
        assertThat(ids(TestNode.join(a.events().peekEvents(q, 10)))).containsExactly("d4");
        List<QueuedEvent> dead = TestNode.join(a.events().deadLetters(q, 10));
        assertThat(ids(dead)).containsExactly("d2", "d3");
        assertThat(dead).extracting(QueuedEvent::seq).containsExactly(2L, 3L);
        assertThat(TestNode.join(a.events().replayDeadLetters(q, List.of("d3")))).isEqualTo(1);
        assertThat(TestNode.join(a.events().replayDeadLetters(q, List.of("nothing")))).isZero();
        List<QueuedEvent> back = TestNode.join(b.events().peekEvents(q, 10));
        assertThat(ids(back)).containsExactly("d4", "d3");
        assertThat(back.get(1).seq()).isEqualTo(3L);
        assertThat(back.get(1).createdAt()).isEqualTo(dead.get(1).createdAt());
        assertThat(TestNode.join(b.events().replayDeadLetters(q, List.of()))).isEqualTo(1);
        assertThat(ids(TestNode.join(a.events().peekEvents(q, 10)))).containsExactly("d4", "d3", "d2");
        assertThat(TestNode.join(a.events().deadLetters(q, 10))).isEmpty();
    }

    @Test
    default void aQueueIsLeasedToOneHolderAtATimeUntilTheLeaseRunsOut() {
        TestNode a = node();
        TestNode b = peer(a);
        String q = channel("lease");
        assertThat(TestNode.join(a.events().leaseQueue(q, "node-a", Duration.ofMinutes(1)))).isTrue();
        assertThat(TestNode.join(b.events().leaseQueue(q, "node-b", Duration.ofMinutes(1)))).isFalse();
        assertThat(TestNode.join(a.events().leaseQueue(q, "node-a", Duration.ofMillis(200)))).isTrue(); // renewed, shorter
        TestNode.eventually().until(() -> TestNode.join(b.events().leaseQueue(q, "node-b", Duration.ofMinutes(1))));
        assertThat(TestNode.join(a.events().leaseQueue(q, "node-a", Duration.ofMinutes(1)))).isFalse();
    }

    @Test
    default void aDeadNodesRecordsGoToOneClaimerAndBecomeEventsOnce() {
        TestNode a = node();
        TestNode b = peer(a);
        String dead = channel("node-dead");
        String live = channel("node-live");
        String q = channel("orphans");
        TestNode.join(a.events().markAlive(live, Duration.ofMinutes(1)));
        TestNode.join(a.events().markAlive(dead, Duration.ofMillis(300)));
        TestNode.join(a.events().appendEvents(List.of(new ConnectionRecord(dead, "c1", ContractSupport.bytes("{\"user\":\"ann\"}")),
                new ConnectionRecord(dead, "c2", ContractSupport.bytes("{\"user\":\"bo\"}")), new ConnectionRecord(dead, "c3", ContractSupport.bytes("{}")),
                new ConnectionRecord(live, "c9", ContractSupport.bytes("{\"user\":\"cy\"}"))), List.of()));
        TestNode.join(a.events().appendEvents(List.of(new ConnectionRecord(dead, "c3", null)), List.of()));
        TestNode.join(a.events().markAlive("claimer-a", Duration.ofMinutes(1)));
        TestNode.join(b.events().markAlive("claimer-b", Duration.ofMinutes(1)));
        // While its mark lasts nobody may claim it; the live node is never claimed.
        assertThat(TestNode.join(b.events().claimOrphans("claimer-b"))).isNull();
        OrphanedNode claimed = TestNode.eventually().until(() -> TestNode.join(a.events().claimOrphans("claimer-a")),
                o -> o != null);
        assertThat(claimed.nodeId()).isEqualTo(dead);
        assertThat(claimed.connections()).containsOnlyKeys("c1", "c2");
        assertThat(TestNode.text(claimed.connections().get("c1"))).isEqualTo("{\"user\":\"ann\"}");
        assertThat(TestNode.join(b.events().claimOrphans("claimer-b"))).as("claimed by a live claimer").isNull();
        assertThat(TestNode.join(b.events().settleOrphans(dead, "claimer-b", List.of(event("x", "k", List.of(q)))))).isFalse();
        assertThat(TestNode.join(a.events().settleOrphans(dead, "claimer-a", List.of(event("bye-c1", "k", List.of(q)),
                event("bye-c2", "k", List.of(q)))))).isTrue();
        assertThat(TestNode.join(a.events().settleOrphans(dead, "claimer-a", List.of(event("again", "k", List.of(q)))))).isFalse();
        assertThat(TestNode.join(b.events().claimOrphans("claimer-b"))).isNull();
        assertThat(ids(TestNode.join(b.events().peekEvents(q, 10)))).containsExactly("bye-c1", "bye-c2");
    }

    @Test
    default void aClaimWhoseClaimerDiedCanBeTakenOver() {
        TestNode a = node();
        TestNode b = peer(a);
        String dead = channel("node-gone");
        TestNode.join(a.events().appendEvents(List.of(new ConnectionRecord(dead, "c1", ContractSupport.bytes("{}"))), List.of()));
        TestNode.join(a.events().markAlive("claimer-short", Duration.ofMillis(300)));
        TestNode.join(b.events().markAlive("claimer-b", Duration.ofMinutes(1)));
        assertThat(TestNode.join(a.events().claimOrphans("claimer-short")).nodeId()).isEqualTo(dead);
        OrphanedNode again = TestNode.eventually().until(() -> TestNode.join(b.events().claimOrphans("claimer-b")), o -> o != null);
        assertThat(again.connections()).containsOnlyKeys("c1");
        assertThat(TestNode.join(a.events().settleOrphans(dead, "claimer-short", List.of()))).isFalse();
        assertThat(TestNode.join(b.events().settleOrphans(dead, "claimer-b", List.of()))).isTrue();
    }
}
