package io.switchboard.server.hub;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * The subscribers of one channel on one event loop, in the order they were added: an array of references that a
 * fan-out walks without a lock, in that order. Per subscriber it costs one array slot of four or eight bytes (up
 * to twice as many slots as members after a copy, at most eight per member, or 16, before the next), where a
 * concurrent set costs a 32-byte node and its table slot; and a
 * walk reads the array in sequence and reaches the subscribers in the order they were made (so, mostly, in
 * the order of their place in memory), not in hash order.
 *
 * <p>Threading: one writer at a time ({@link #add} and {@link #remove}; the hub calls them inside its map's
 * {@code compute} for the channel), any number of readers ({@link #forEach}, {@link #size}) on any thread,
 * concurrently with the writer. A reader sees every subscriber added before its walk began and not removed
 * before that; one added or removed during the walk it may or may not see, as with a concurrent set's
 * iterator; it never sees one twice.
 *
 * <p>Writes: an add fills the next free slot (a release store, read with acquire) and tells the subscriber
 * its slot ({@link Subscriber#memberSlot(int)}); a remove clears the slot the subscriber names, and the walk
 * skips it. When the array is full, or fewer than an eighth of it are members, it is copied without the
 * cleared slots into one of twice the members' number, which readers then take up, and each member is told
 * its new slot: an add and a remove are constant time amortised, and a walk visits at most eight slots per
 * member, or 16. A subscriber that keeps no slot, or names one that does not hold it (one object added to
 * two groups), is found by a scan, newest first: linear in the group, as every remove was before (removing
 * 50,000 members of one loop in random order took 0.8 to 1.1 s of scanning that way, and 4 ms by their slots).
 */
final class Members {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Subscriber[].class);
    private static final Subscriber[] NONE = new Subscriber[0];

    private volatile Subscriber[] slots = NONE;
    private int next; // the first slot never filled in the current array (the writer's)
    private volatile int size;

    /** Adds {@code s}, which must not be a member already (each subscription is a new object). Writer only. */
    void add(Subscriber s) {
        Subscriber[] a = slots;
        if (next == a.length) {
            a = compacted(a, Math.max(4, 2 * (size + 1)));
        }
        s.memberSlot(next);
        SLOT.setRelease(a, next++, s);
        size = size + 1;
    }

    /** Removes {@code s}; false if it was not a member. Writer only. */
    boolean remove(Subscriber s) {
        Subscriber[] a = slots;
        int i = s.memberSlot();
        if (i < 0 || i >= next || a[i] != s) {
            for (i = next - 1; i >= 0 && a[i] != s; i--) { // the newest first: a short-lived subscription is near the end
            }
            if (i < 0) {
                return false;
            }
        }
        SLOT.setRelease(a, i, (Subscriber) null);
        s.memberSlot(-1);
        size = size - 1;
        if (a.length > 16 && size < a.length / 8) {
            compacted(a, 2 * size + 4); // a group that shrank: its walk would be mostly empty slots
        }
        return true;
    }

    /** The members now; any thread. */
    int size() {
        return size;
    }

    /** Calls {@code action} with each member, in the order they were added. Any thread. */
    void forEach(Consumer<Subscriber> action) {
        Subscriber[] a = slots;
        for (int i = 0; i < a.length; i++) {
            Subscriber s = (Subscriber) SLOT.getAcquire(a, i);
            if (s != null) {
                action.accept(s);
            }
        }
    }

    /** The array as readers see it now (slots may be null); walk it with {@link #at}. Any thread. */
    Subscriber[] slots() {
        return slots;
    }

    /** Slot {@code i} of an array from {@link #slots}, or null when it is empty. */
    static Subscriber at(Subscriber[] a, int i) {
        return (Subscriber) SLOT.getAcquire(a, i);
    }

    /** Copies the members of {@code a}, in order, into a new array of {@code length} and publishes it. */
    private Subscriber[] compacted(Subscriber[] a, int length) {
        Subscriber[] b = new Subscriber[length];
        int n = 0;
        for (int i = 0; i < next; i++) {
            if (a[i] != null) {
                a[i].memberSlot(n);
                b[n++] = a[i];
            }
        }
        next = n;
        slots = b; // a volatile write after the copies: a reader that takes up b sees them
        return b;
    }
}
