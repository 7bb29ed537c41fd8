package io.switchboard.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * How big a buffer each socket read gets, in one of two forms.
 *
 * <p>{@link #PER_CONNECTION}: Netty's adaptive rule (start at 2 KiB; a read that fills its buffer, or a whole
 * read event that reads at least the buffer's size, makes the next one 16 times larger, up to 64 KiB; two
 * reads in a row that would have fit half of it halve it, down to 64 bytes), in one object of 40 bytes per
 * connection. Netty's {@code AdaptiveRecvByteBufAllocator} keeps the same state in three objects of 112 bytes.
 *
 * <p>{@link #PER_LOOP}: one handle per event loop thread, shared by every connection of the loop, which
 * costs a connection nothing. The same rule, except that every read event starts again at 2 KiB, so that no
 * connection's reads size another's: a connection that sends large messages reads a 64 KiB one in three
 * reads (2, 32 and 30 KiB) where its own adaptive handle would have taken one. This is right only where a
 * read event runs from {@code reset} to {@code readComplete} on its loop's thread without another
 * connection's read event in between, which is how Netty's epoll and NIO transports read; io_uring's reads
 * complete after they are submitted, interleaved, so it takes {@link #PER_CONNECTION}.
 *
 * <p>In either form, as Netty's stream channels do, one read event reads at most 16 times, and stops at a
 * read that did not fill its buffer, at the end of the stream, or when auto-read was turned off.
 */
final class LeanRecvAllocator implements RecvByteBufAllocator {

    /** Each connection its own handle, used on its event loop only. */
    static final LeanRecvAllocator PER_CONNECTION = new LeanRecvAllocator(false);
    /** One handle per thread that reads (an event loop), shared by its connections: epoll and NIO only. */
    static final LeanRecvAllocator PER_LOOP = new LeanRecvAllocator(true);

    static final int MIN_SHIFT = 6;       // 64 bytes
    static final int INITIAL_SHIFT = 11;  // 2 KiB
    static final int MAX_SHIFT = 16;      // 64 KiB
    static final int GROW_SHIFT = 4;      // grow 16-fold (Netty's four steps up its table)
    static final int MAX_READS_PER_EVENT = 16;

    private static final FastThreadLocal<LeanHandle> LOOP_HANDLES = new FastThreadLocal<>() {
        @Override
        protected LeanHandle initialValue() {
            return new LeanHandle(true);
        }
    };

    private final boolean perLoop;

    private LeanRecvAllocator(boolean perLoop) {
        this.perLoop = perLoop;
    }

    /** The one for {@code transport}: per loop where its reads allow it (see the class comment). */
    static LeanRecvAllocator forTransport(Transport transport) {
        return switch (transport) {
            case EPOLL, NIO -> PER_LOOP;
            case IO_URING -> PER_CONNECTION;
        };
    }

    /**
     * Per loop: the calling thread's handle. Netty asks for a channel's handle on the channel's event loop, the
     * first time the channel reads, and keeps it for the channel's life: so a channel must not move to another
     * loop (the node never deregisters one). Epoll's config also asks once when the option is set, on the
     * accept thread, only to look at the handle's type: that thread's handle is made and never used.
     */
    @Override
    public Handle newHandle() {
        return perLoop ? LOOP_HANDLES.get() : new LeanHandle(false);
    }

    /** One connection's read sizing, or one loop's: its state in bytes and ints, nothing allocated per read but the buffer. */
    static final class LeanHandle implements ExtendedHandle {
        private final boolean restarts; // every read event starts at the initial size (a loop's shared handle)
        private ChannelConfig config;
        private byte shift = INITIAL_SHIFT;
        private boolean shrinkNext; // the last record would have fit half the buffer
        private int reads;
        private int totalBytes;
        private int lastBytes;
        private int attempted;

        LeanHandle(boolean restarts) {
            this.restarts = restarts;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess() {
            return 1 << shift;
        }

        @Override
        public void reset(ChannelConfig config) {
            this.config = config;
            reads = 0;
            totalBytes = 0;
            if (restarts) {
                shift = INITIAL_SHIFT; // within one event it only grows, so shrinkNext stays false
            }
        }

        @Override
        public void incMessagesRead(int numMessages) {
            reads += numMessages;
        }

        @Override
        public void lastBytesRead(int bytes) {
            if (bytes == attempted) {
                record(bytes); // the buffer was filled: maybe it should grow at once
            }
            lastBytes = bytes;
            if (bytes > 0) {
                totalBytes += bytes;
            }
        }

        @Override
        public int lastBytesRead() {
            return lastBytes;
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            attempted = bytes;
        }

        @Override
        public int attemptedBytesRead() {
            return attempted;
        }

        @Override
        public boolean continueReading() {
            return continueReading(lastBytes == attempted);
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreData) {
            return continueReading(maybeMoreData.get());
        }

        private boolean continueReading(boolean maybeMoreData) {
            return config.isAutoRead() && maybeMoreData && reads < MAX_READS_PER_EVENT && totalBytes > 0;
        }

        @Override
        public void readComplete() {
            if (restarts) {
                config = null; // a loop's handle keeps no connection reachable between read events
            } else {
                record(totalBytes); // the next event's size: a loop's handle starts again instead
            }
        }

        private void record(int actual) {
            if (actual <= 1 << (shift - 1)) {
                if (shrinkNext) {
                    shift = (byte) Math.max(MIN_SHIFT, shift - 1);
                    shrinkNext = false;
                } else {
                    shrinkNext = true;
                }
            } else if (actual >= 1 << shift) {
                shift = (byte) Math.min(MAX_SHIFT, shift + GROW_SHIFT);
                shrinkNext = false;
            }
        }
    }
}
