package io.switchboard.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.engine.PresenceUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The coalescing of presence changes: cancelling, per-user order, the count, one push per window. */
class PresenceWindowsTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<String> pushes = new CopyOnWriteArrayList<>();
    private long order;

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private PresenceUpdate u(String user, boolean online, long users) {
        return new PresenceUpdate("chat:x", user, online, 1000, users, ++order);
    }

    private static PresenceWindows.Window.Result drain(PresenceWindows.Window w) {
        return w.drain(1000);
    }

    @Test
    void aJoinAndALeaveOfOneUserInAWindowCancelOutEitherWayRound() {
        PresenceWindows.Window w = new PresenceWindows.Window();
        w.add(u("ann", true, 1));   // ann came and went
        w.add(u("bo", false, 1));   // bo (there before) went and came back
        w.add(u("ann", false, 0));
        w.add(u("bo", true, 1));
        PresenceWindows.Window.Result r = drain(w);
        assertThat(r.joins()).isEmpty();
        assertThat(r.leaves()).isEmpty();
        assertThat(r.empty()).as("nothing to push").isTrue();
        assertThat(r.users()).isEqualTo(1);
    }

    @Test
    void eachUsersLastChangeWinsAndUsersKeepTheOrderOfTheirFirstChange() {
        PresenceWindows.Window w = new PresenceWindows.Window();
        w.add(u("cy", true, 1));
        w.add(u("ann", true, 2));
        w.add(u("ann", false, 1));
        w.add(u("ann", true, 2));  // join, leave, join: ann is in
        w.add(u("bo", false, 1));
        w.add(u("dee", true, 2));
        PresenceWindows.Window.Result r = drain(w);
        assertThat(r.joins()).containsExactly("cy", "ann", "dee");
        assertThat(r.leaves()).containsExactly("bo");
        assertThat(r.countOnly()).isFalse();
        assertThat(drain(w)).as("a window with no change at all").isNull();
    }

    @Test
    void theCountIsTheOneOfTheLatestChangeByTheStoresOrderNotByArrival() {
        PresenceWindows.Window w = new PresenceWindows.Window();
        w.add(new PresenceUpdate("chat:x", "ann", true, 1, 7, 20));
        w.add(new PresenceUpdate("chat:x", "bo", true, 1, 6, 10)); // older, arrived late (another node)
        assertThat(drain(w).users()).isEqualTo(7);
    }

    @Test
    void overTheThresholdOnlyTheCountGoesOutAndOnlyWhenItChanged() {
        PresenceWindows.Window w = new PresenceWindows.Window();
        w.add(u("ann", true, 1001));
        PresenceWindows.Window.Result r = drain(w);
        assertThat(r.countOnly()).isTrue();
        assertThat(r.joins()).isEmpty();
        w.add(u("bo", true, 1002));
        w.add(u("bo", false, 1001));
        assertThat(drain(w).empty()).as("same count as last pushed").isTrue();
        w.add(u("ann", false, 1000));
        PresenceWindows.Window.Result back = drain(w);
        assertThat(back.countOnly()).isFalse();
        assertThat(back.leaves()).containsExactly("ann");
        assertThat(back.empty()).isFalse();
    }

    @Test
    void manyChangesInOneWindowMakeOnePushAndTheNextWindowItsOwn() {
        PresenceWindows windows = new PresenceWindows(timer, (ch, type, payload) ->
                pushes.add(type.wireName() + " " + new String(payload, StandardCharsets.UTF_8)), 60_000);
        NamespaceConfig ns = NamespaceConfig.chat().withPresenceWindow(Duration.ofMillis(150), 1000);
        for (int i = 0; i < 50; i++) {
            windows.add(u("u" + i, true, i + 1), ns);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pushes.size() >= 1);
        windows.add(u("late", true, 51), ns); // the sentinel: pushed in a later window
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pushes.size() >= 2);
        assertThat(pushes).hasSize(2);
        assertThat(pushes.get(0)).startsWith("presenceDiff {\"joins\":[\"u0\",\"u1\",").endsWith("\"u49\"],\"leaves\":[],\"users\":50}");
        assertThat(pushes.get(1)).isEqualTo("presenceDiff {\"joins\":[\"late\"],\"leaves\":[],\"users\":51}");
    }

    @Test
    void aLargeChangeIsSplitIntoPushesThatEachFitTheLimitAndTogetherHoldEveryUser() {
        List<String> joins = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            joins.add("user-" + i);
        }
        List<byte[]> parts = PresenceWindows.diffPayloads(joins, List.of("gone"), 500, 2048);
        assertThat(parts.size()).isGreaterThan(1);
        StringBuilder all = new StringBuilder();
        for (byte[] p : parts) {
            assertThat(p.length).isLessThanOrEqualTo(2048);
            all.append(new String(p, StandardCharsets.UTF_8));
        }
        for (String user : joins) {
            assertThat(all.toString()).contains("\"" + user + "\"");
        }
        assertThat(all.toString()).contains("\"leaves\":[\"gone\"]");
        assertThat(MessageType.fromWireName("presenceDiff")).isEqualTo(MessageType.PRESENCE_DIFF);
    }

    @Test
    void aCountingChannelsWindowsGrowWithItsSizeSoItsPushesStayBounded() {
        NamespaceConfig ns = NamespaceConfig.chat(); // 200 ms, counts above 1000 users
        assertThat(PresenceWindows.nextWindowMillis(ns, new PresenceWindows.Window.Result(false, List.of(), List.of(), 100, false))).isEqualTo(200);
        assertThat(PresenceWindows.nextWindowMillis(ns, new PresenceWindows.Window.Result(false, List.of(), List.of(), 1000, false))).isEqualTo(2000);
        assertThat(PresenceWindows.nextWindowMillis(ns, new PresenceWindows.Window.Result(true, List.of(), List.of(), 1001, false))).isEqualTo(600);
        assertThat(PresenceWindows.nextWindowMillis(ns, new PresenceWindows.Window.Result(true, List.of(), List.of(), 50_000, false))).isEqualTo(20_000);
        NamespaceConfig always = ns.withPresenceWindow(Duration.ofMillis(100), 0);
        assertThat(PresenceWindows.nextWindowMillis(always, new PresenceWindows.Window.Result(true, List.of(), List.of(), 250, false))).isEqualTo(300);
    }
}
