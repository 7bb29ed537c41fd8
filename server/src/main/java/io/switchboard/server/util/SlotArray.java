package io.switchboard.server.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * Items in the order they were added: an array of references that any thread walks without a lock, in that
 * order. Per item it costs one array slot of four or eight bytes (up to twice as many slots as items after a
 * copy, at most eight per item, or 16, before the next), where a concurrent set costs a 32-byte node and its
 * table slot; and a walk reads the array in sequence and reaches the items in the order they were made (so,
 * mostly, in the order of their place in memory), not in hash order. Used for a channel's subscribers on one
 * event loop (the hub's fan-out walks them) and for the node's connections.
 *
 * <p>Threading: one writer at a time ({@link #add} and {@link #remove}: the caller's lock, or the hub's
 * {@code compute} for a channel), any number of readers ({@link #forEach}, {@link #size}, {@link #slots}) on any
 * thread, concurrently with the writer. A reader sees every item added before its walk began and not removed
 * before that; one added or removed during the walk it may or may not see, as with a concurrent set's
 * iterator; it never sees one twice.
 *
 * <p>Writes: an add fills the next free slot (a release store, read with acquire) and tells the item its slot
 * ({@link Slot}); a remove clears the slot the item names, and a walk skips it. When the array is full, or fewer
 * than an eighth of it are items, it is copied without the cleared slots into one of twice the items' number,
 * which readers then take up, and each item is told its new slot: an add and a remove are constant time
 * amortised, and a walk visits at most eight slots per item, or 16. Removing an item whose slot is {@link #NONE}
 * (never added, or removed already) is constant time too: it is not here. An item that keeps no slot
 * ({@link #UNKNOWN}), or names one that does not hold it, is found by a scan, newest first: linear in the number
 * of items (removing 50,000 in random order took 0.8 to 1.1 s of scanning that way, and 4 ms by their slots).
 * A copy is made under the writer's lock: for a million items, a few milliseconds once per doubling or shrinking.
 *
 * @param <T> the items; each may be in one array once (each is its own object: identity, not equals)
 */
public final class SlotArray<T> {

    /** What {@link Slot#slotOf(Object)} answers for an item that keeps a slot and is in no array. */
    public static final int NONE = -1;
    /** What {@link Slot#slotOf(Object)} answers for an item that keeps no slot: it is looked for by a scan. */
    public static final int UNKNOWN = -2;

    /**
     * Where an item keeps its place in the array: an {@code int} field of its own, starting at {@link #NONE},
     * which only the array's writer reads and writes (so under the writer's lock).
     */
    public interface Slot<T> {
        /**
         * The slot last given to {@code item}, {@link #NONE} when it was never given one or was removed, or
         * {@link #UNKNOWN} when the item keeps none.
         */
        int slotOf(T item);

        /** Keeps {@code slot} for {@code item}. */
        void slotOf(T item, int slot);

        /** The slot an item keeps through accessors of its own: {@code Slot.of(Item::slot, Item::slot)}. */
        static <T> Slot<T> of(java.util.function.ToIntFunction<T> get, java.util.function.ObjIntConsumer<T> set) {
            return new Slot<>() {
                @Override
                public int slotOf(T item) {
                    return get.applyAsInt(item);
                }

                @Override
                public void slotOf(T item, int slot) {
                    set.accept(item, slot);
                }
            };
        }
    }

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final Object[] EMPTY = new Object[0];

    private final Slot<T> slot;
    private volatile Object[] slots = EMPTY;
    private int next; // the first slot never filled in the current array (the writer's)
    private volatile int size;

    public SlotArray(Slot<T> slot) {
        this.slot = slot;
    }

    /** Adds {@code item}, which must not be in the array already. Writer only. */
    public void add(T item) {
        Object[] a = slots;
        if (next == a.length) {
            a = compacted(a, Math.max(4, 2 * (size + 1)));
        }
        slot.slotOf(item, next);
        SLOT.setRelease(a, next++, item);
        size = size + 1;
    }

    /** Removes {@code item}; false if it was not in the array. Writer only. */
    public boolean remove(T item) {
        Object[] a = slots;
        int i = slot.slotOf(item);
        if (i == NONE) {
            return false; // never added, or removed already
        }
        if (i < 0 || i >= next || a[i] != item) {
            for (i = next - 1; i >= 0 && a[i] != item; i--) { // the newest first: a short-lived item is near the end
            }
            if (i < 0) {
                return false;
            }
        }
        SLOT.setRelease(a, i, null);
        slot.slotOf(item, NONE);
        size = size - 1;
        if (a.length > 16 && size < a.length / 8) {
            compacted(a, 2 * size + 4); // shrunk: a walk would be mostly empty slots
        }
        return true;
    }

    /** The items now; any thread. */
    public int size() {
        return size;
    }

    /** Calls {@code action} with each item, in the order they were added. Any thread. */
    public void forEach(Consumer<? super T> action) {
        Object[] a = slots;
        for (int i = 0; i < a.length; i++) {
            T item = at(a, i);
            if (item != null) {
                action.accept(item);
            }
        }
    }

    /** The array as readers see it now (slots may be null); walk it with {@link #at}. Any thread. */
    public Object[] slots() {
        return slots;
    }

    /** Slot {@code i} of an array from {@link #slots}, or null when it is empty. */
    @SuppressWarnings("unchecked")
    public static <T> T at(Object[] a, int i) {
        return (T) SLOT.getAcquire(a, i);
    }

    /** Copies the items of {@code a}, in order, into a new array of {@code length} and publishes it. */
    @SuppressWarnings("unchecked")
    private Object[] compacted(Object[] a, int length) {
        Object[] b = new Object[length];
        int n = 0;
        for (int i = 0; i < next; i++) {
            if (a[i] != null) {
                slot.slotOf((T) a[i], n);
                b[n++] = a[i];
            }
        }
        next = n;
        slots = b; // a volatile write after the copies: a reader that takes up b sees them
        return b;
    }
}
