package io.switchboard.server.deflate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** The deflate and inflate of permessage-deflate without context takeover, on bytes (no sockets). */
class ZlibTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    static byte[] json(int approxBytes) {
        StringBuilder b = new StringBuilder("{\"type\":\"message\",\"channel\":\"chat:room\",\"payload\":{\"items\":[");
        for (int i = 0; b.length() < approxBytes; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"text\":\"hello world number ").append(i).append("\"}");
        }
        return b.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** What a client sends: raw deflate, sync-flushed, the last four octets removed (RFC 7692 7.2.1). */
    static byte[] clientCompress(byte[] plain) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(plain);
        byte[] out = new byte[plain.length + 1024];
        int n = d.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
        d.end();
        assertThat(Arrays.copyOfRange(out, n - 4, n)).containsExactly(0, 0, 0xff, 0xff);
        return Arrays.copyOf(out, n - 4);
    }

    private static byte[] bytes(ByteBuf b) {
        try {
            return io.netty.buffer.ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    @Test
    void roundTripsAndEachMessageStandsAlone() throws Exception {
        byte[] plain = json(4000);
        byte[] first = bytes(Zlib.deflate(ALLOC, Unpooled.wrappedBuffer(plain), 6));
        byte[] second = bytes(Zlib.deflate(ALLOC, Unpooled.wrappedBuffer(plain), 6));
        assertThat(first.length).isLessThan(plain.length / 3);
        // No context takeover: the same message compresses to the same bytes every time.
        assertThat(second).isEqualTo(first);
        assertThat(bytes(Zlib.inflate(ALLOC, Unpooled.wrappedBuffer(first), 1 << 16))).isEqualTo(plain);
        assertThat(bytes(Zlib.inflate(ALLOC, Unpooled.wrappedBuffer(clientCompress(plain)), 1 << 16))).isEqualTo(plain);
    }

    @Test
    void inflatesAStreamEndedByAFinalBlockAndTheEmptyMessage() throws Exception {
        byte[] plain = json(500);
        Deflater d = new Deflater(6, true);
        d.setInput(plain);
        d.finish();
        byte[] out = new byte[2000];
        int n = d.deflate(out);
        d.end();
        byte[] withZero = Arrays.copyOf(out, n + 1); // the 0x00 left of the appended empty stored block
        assertThat(bytes(Zlib.inflate(ALLOC, Unpooled.wrappedBuffer(out, 0, n), 1 << 16))).isEqualTo(plain);
        assertThat(bytes(Zlib.inflate(ALLOC, Unpooled.wrappedBuffer(withZero), 1 << 16))).isEqualTo(plain);
        assertThat(bytes(Zlib.inflate(ALLOC, Unpooled.wrappedBuffer(new byte[] {0}), 100))).isEmpty();
        assertThat(bytes(Zlib.inflate(ALLOC, Unpooled.wrappedBuffer(clientCompress(new byte[0])), 100))).isEmpty();
    }

    @Test
    void aBombStopsAtTheCapWithoutTakingMoreThanIt() {
        byte[] bomb = clientCompress(new byte[10 << 20]); // 10 MiB of zeros in about 10 KiB
        assertThat(bomb.length).isLessThan(20_000);
        long directBefore = io.netty.util.internal.PlatformDependent.usedDirectMemory();
        assertThatThrownBy(() -> Zlib.inflate(ALLOC, Unpooled.wrappedBuffer(bomb), 65536))
                .isInstanceOf(Zlib.InflateException.class)
                .satisfies(e -> assertThat(((Zlib.InflateException) e).tooLarge).isTrue())
                .hasMessageContaining("65536");
        assertThat(io.netty.util.internal.PlatformDependent.usedDirectMemory()).isLessThanOrEqualTo(Math.max(directBefore, 0) + (1 << 20));
        // Exactly the cap is allowed; one byte more is not.
        byte[] cap = new byte[65536];
        Arrays.fill(cap, (byte) 'a');
        assertThat(catchInflate(clientCompress(cap), 65536)).isNull();
        assertThat(catchInflate(clientCompress(Arrays.copyOf(cap, 65537)), 65536).tooLarge).isTrue();
    }

    @Test
    void aTruncatedOrCorruptStreamIsRefused() {
        byte[] whole = clientCompress(json(3000));
        for (int cut : new int[] {1, 2, 5, whole.length / 3, whole.length / 2, whole.length - 3}) {
            Zlib.InflateException e = catchInflate(Arrays.copyOf(whole, cut), 1 << 16);
            assertThat(e).as("cut at %d of %d", cut, whole.length).isNotNull();
            assertThat(e.tooLarge).isFalse();
        }
        byte[] corrupt = whole.clone();
        corrupt[0] = (byte) 0xff; // BTYPE 11: reserved
        assertThat(catchInflate(corrupt, 1 << 16)).isNotNull();
        byte[] trailing = Arrays.copyOf(whole, whole.length + 3);
        trailing[whole.length] = 0x03; // a final block, then garbage after it
        trailing[whole.length + 2] = 0x7f;
        assertThat(catchInflate(trailing, 1 << 16)).isNotNull();
    }

    /**
     * Fuzz: random bytes and mutations of valid messages (bit flips, cuts, insertions, splices). Every case
     * either inflates to at most the cap or is refused with an InflateException; nothing else escapes.
     */
    @Test
    void fuzzedStreamsInflateWithinTheCapOrAreRefused() {
        Random r = new Random(7692);
        byte[][] seeds = {clientCompress(json(200)), clientCompress(json(3000)), clientCompress(new byte[40_000]),
                bytes(Zlib.deflate(ALLOC, Unpooled.wrappedBuffer(json(9000)), 1))};
        int refused = 0;
        int inflated = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] input;
            if (i % 4 == 0) {
                input = new byte[r.nextInt(300)];
                r.nextBytes(input);
            } else {
                input = seeds[r.nextInt(seeds.length)].clone();
                int edits = 1 + r.nextInt(4);
                for (int k = 0; k < edits && input.length > 0; k++) {
                    int at = r.nextInt(input.length);
                    switch (r.nextInt(4)) {
                        case 0 -> input[at] ^= (byte) (1 << r.nextInt(8));
                        case 1 -> input = Arrays.copyOf(input, at);
                        case 2 -> input[at] = (byte) r.nextInt(256);
                        default -> {
                            // the head of this message, then the second half of another one
                            byte[] other = seeds[r.nextInt(seeds.length)];
                            int half = other.length / 2;
                            byte[] spliced = Arrays.copyOf(input, at + (other.length - half));
                            System.arraycopy(other, half, spliced, at, other.length - half);
                            input = spliced;
                        }
                    }
                }
            }
            int cap = 1 + r.nextInt(1 << 16);
            try {
                ByteBuf out = Zlib.inflate(ALLOC, Unpooled.wrappedBuffer(input), cap);
                assertThat(out.readableBytes()).isLessThanOrEqualTo(cap);
                out.release();
                inflated++;
            } catch (Zlib.InflateException e) {
                refused++;
            }
        }
        assertThat(refused).as("refused").isGreaterThan(1000);
        assertThat(inflated).as("inflated").isGreaterThan(100);
    }

    private static Zlib.InflateException catchInflate(byte[] input, int cap) {
        try {
            Zlib.inflate(ALLOC, Unpooled.wrappedBuffer(input), cap).release();
            return null;
        } catch (Zlib.InflateException e) {
            return e;
        }
    }
}
