package io.switchboard.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * How big a buffer each socket read gets: Netty's adaptive rule (start at 2 KiB; a read that fills its
 * buffer, or a whole read event that reads at least the buffer's size, makes the next one 16 times larger,
 * up to 64 KiB; two reads in a row that would have fit half of it halve it, down to 64 bytes), in one object
 * of 40 bytes per connection. Netty's {@code AdaptiveRecvByteBufAllocator} keeps the same state in three
 * objects of 112 bytes, which on a node of idle connections is a twentieth of what each costs. As Netty's
 * stream channels do, one read event reads at most 16 times, and stops at a read that did not fill its
 * buffer, at the end of the stream, or when auto-read was turned off.
 *
 * <p>Shared by every connection; each gets its own {@link #newHandle handle}, used on its event loop only.
 */
final class LeanRecvAllocator implements RecvByteBufAllocator {

    static final LeanRecvAllocator INSTANCE = new LeanRecvAllocator();

    static final int MIN_SHIFT = 6;       // 64 bytes
    static final int INITIAL_SHIFT = 11;  // 2 KiB
    static final int MAX_SHIFT = 16;      // 64 KiB
    static final int GROW_SHIFT = 4;      // grow 16-fold (Netty's four steps up its table)
    static final int MAX_READS_PER_EVENT = 16;

    private LeanRecvAllocator() {
    }

    @Override
    public Handle newHandle() {
        return new LeanHandle();
    }

    /** One connection's read sizing: its state in bytes and ints, nothing allocated per read but the buffer. */
    static final class LeanHandle implements ExtendedHandle {
        private ChannelConfig config;
        private byte shift = INITIAL_SHIFT;
        private boolean shrinkNext; // the last record would have fit half the buffer
        private int reads;
        private int totalBytes;
        private int lastBytes;
        private int attempted;

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
            record(totalBytes);
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
