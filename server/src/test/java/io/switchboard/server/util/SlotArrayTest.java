package io.switchboard.server.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SlotArrayTest {

    /** An item that only has an identity, and keeps the slot the array gives it, as subscriptions and sessions do. */
    private static class Member {
        final int n;
        int slot = -1;

        Member(int n) {
            this.n = n;
        }

        @Override
        public String toString() {
            return "member " + n;
        }
    }

    private static List<Member> walk(SlotArray<Member> m) {
        List<Member> seen = new ArrayList<>();
        m.forEach(seen::add);
        return seen;
    }

    private static List<Member> walkSlots(SlotArray<Member> m) {
        List<Member> seen = new ArrayList<>();
        Object[] a = m.slots();
        for (int i = 0; i < a.length; i++) {
            Member s = SlotArray.at(a, i);
            if (s != null) {
                seen.add(s);
            }
        }
        return seen;
    }

    @Test
    void membersAreWalkedInTheOrderTheyCameWithTheRemovedOnesLeftOut() {
        SlotArray<Member> m = array();
        List<Member> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) { // several copies of the array on the way
            Member s = new Member(i);
            m.add(s);
            expected.add(s);
        }
        for (int i = 0; i < 100; i += 3) {
            assertThat(m.remove(expected.get(i))).isTrue();
        }
        expected.removeIf(s -> ((Member) s).n % 3 == 0);
        Member late = new Member(1000);
        m.add(late);
        expected.add(late);
        assertThat(walk(m)).containsExactlyElementsOf(expected);
        assertThat(walkSlots(m)).containsExactlyElementsOf(expected);
        assertThat(m.size()).isEqualTo(expected.size());
        assertThat(m.remove(new Member(-1))).as("not a member").isFalse();
        assertThat(m.remove(expected.get(0))).isTrue();
        assertThat(m.remove(expected.get(0))).as("already removed").isFalse();
        assertThat(m.size()).isEqualTo(expected.size() - 1);
    }

    @Test
    void aGroupThatShrankIsCopiedSoItsWalkIsNotMostlyEmptySlots() {
        SlotArray<Member> m = array();
        List<Member> all = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Member s = new Member(i);
            m.add(s);
            all.add(s);
        }
        assertThat(m.slots().length).isLessThanOrEqualTo(2 * 10_000 + 2);
        for (int i = 0; i < 9_990; i++) {
            m.remove(all.get(i));
        }
        assertThat(m.size()).isEqualTo(10);
        assertThat(m.slots().length).as("at most eight slots per member, or 16").isLessThanOrEqualTo(80);
        assertThat(walk(m)).containsExactlyElementsOf(all.subList(9_990, 10_000));
        for (int i = 9_990; i < 10_000; i++) {
            m.remove(all.get(i));
        }
        assertThat(m.size()).isZero();
        assertThat(walk(m)).isEmpty();
        assertThat(m.slots().length).isLessThanOrEqualTo(16);
        Member again = new Member(-2);
        m.add(again);
        assertThat(walk(m)).containsExactly(again);
    }

    /** One that keeps no slot: found by a scan. */
    private static final class Unslotted extends Member {
        Unslotted(int n) {
            super(n);
        }
    }

    private static final SlotArray.Slot<Member> SLOT = new SlotArray.Slot<>() {
        @Override
        public int slotOf(Member m) {
            return m instanceof Unslotted ? SlotArray.UNKNOWN : m.slot;
        }

        @Override
        public void slotOf(Member m, int slot) {
            if (!(m instanceof Unslotted)) {
                m.slot = slot;
            }
        }
    };

    private static SlotArray<Member> array() {
        return new SlotArray<>(SLOT);
    }

    /** Every member's slot is where the array holds it. */
    private static void assertSlotsTrue(SlotArray<Member> m) {
        Object[] a = m.slots();
        for (int i = 0; i < a.length; i++) {
            Member s = SlotArray.at(a, i);
            if (s != null && !(s instanceof Unslotted)) {
                assertThat(s.slot).as("%s's slot", s).isEqualTo(i);
            }
        }
    }

    @Test
    void membersComingAndGoingInAnyOrderKeepTheirSlotsThroughCopiesAndAreRemovedByThem() {
        SlotArray<Member> m = array();
        List<Member> model = new ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        int n = 0;
        for (int round = 0; round < 40; round++) {
            int adds = random.nextInt(400);
            for (int i = 0; i < adds; i++) {
                Member s = random.nextInt(10) == 0 ? new Unslotted(n++) : new Member(n++);
                m.add(s);
                model.add(s);
            }
            int removes = random.nextInt(model.size() + 1);
            for (int i = 0; i < removes; i++) {
                Member s = model.remove(random.nextInt(model.size()));
                assertThat(m.remove(s)).as("%s removed", s).isTrue();
                assertThat(m.remove(s)).as("%s removed once only", s).isFalse();
                if (!(s instanceof Unslotted)) {
                    assertThat(s.slot).as("a removed member keeps no slot").isEqualTo(-1);
                }
            }
            assertThat(walk(m)).containsExactlyElementsOf(model);
            assertThat(m.size()).isEqualTo(model.size());
            assertSlotsTrue(m);
        }
    }

    @Test
    void anItemWithoutASlotIsNotLookedForAndOneWithAStaleSlotIsFoundByAScan() {
        SlotArray<Member> m = array();
        Member a = new Member(1);
        Member b = new Member(2);
        Member c = new Member(3);
        m.add(a);
        m.add(b);
        m.add(c);
        assertThat(m.remove(new Member(4))).as("never added").isFalse();
        int cSlot = c.slot;
        c.slot = SlotArray.NONE; // as if never added: the array takes its word and does not scan
        assertThat(m.remove(c)).isFalse();
        assertThat(walk(m)).containsExactly(a, b, c);
        c.slot = 0; // names a's slot: found by the scan, and a stays
        assertThat(m.remove(c)).isTrue();
        assertThat(walk(m)).containsExactly(a, b);
        assertThat(cSlot).isEqualTo(2);
        Member stranger = new Member(5);
        stranger.slot = 1; // names b's slot
        assertThat(m.remove(stranger)).as("not a member").isFalse();
        assertThat(walk(m)).containsExactly(a, b);
    }

    @Test
    void aWalkDuringAddsAndRemovesSeesTheStayingMembersOnceEachAndNoneTwice() throws Exception {
        SlotArray<Member> m = array();
        List<Member> staying = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Member s = new Member(i);
            staying.add(s);
            m.add(s);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> wrong = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong copiesOnRemove = new java.util.concurrent.atomic.AtomicLong();
        Thread writer = new Thread(() -> { // the one writer: members come and go all the time
            try {
                List<Member> coming = new ArrayList<>();
                int n = 10_000;
                while (!stop.get()) {
                    for (int i = 0; i < 600; i++) { // the array grows to over 1,000 slots
                        Member s = new Member(n++);
                        coming.add(s);
                        m.add(s);
                    }
                    for (Member s : coming) {
                        Object[] before = m.slots();
                        m.remove(s);
                        if (m.slots() != before) {
                            copiesOnRemove.incrementAndGet(); // down to 50 of them: copied smaller
                        }
                    }
                    coming.clear();
                }
            } catch (RuntimeException | Error e) {
                wrong.set("the writer failed: " + e);
            }
        });
        writer.start();
        try {
            long walks = 0;
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while ((System.nanoTime() < until || walks < 1000) && wrong.get() == null) {
                Map<Member, Integer> seen = new IdentityHashMap<>();
                m.forEach(s -> seen.merge(s, 1, Integer::sum));
                for (Map.Entry<Member, Integer> e : seen.entrySet()) {
                    if (e.getValue() != 1) {
                        wrong.set(e.getKey() + " seen " + e.getValue() + " times in one walk");
                    }
                }
                for (Member s : staying) {
                    if (!seen.containsKey(s)) {
                        wrong.set(s + ", a member all along, was not seen");
                    }
                }
                walks++;
            }
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
        assertThat(wrong.get()).isNull();
        assertThat(copiesOnRemove.get()).as("walks raced copies made by removes too").isPositive();
        assertThat(walk(m)).containsExactlyElementsOf(staying);
    }
}
