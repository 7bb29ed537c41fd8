package io.switchboard.server.session;

import io.netty.buffer.ByteBuf;

/**
 * Well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF),
 * checked piece by piece so that a character may be split across the fragments of a message and a bad
 * byte is found in the fragment that carries it. The whole state is one int that the caller keeps
 * ({@link SessionHandler}: one per connection, no object). Stateless; any thread.
 *
 * <p>The state packs how many continuation bytes are still owed (bits 16 and up) and the range the next
 * one must fall in (low byte in bits 8-15, high byte in bits 0-7); {@link #COMPLETE} owes none.
 */
final class Utf8Check {

    /** Between characters: what was read so far is UTF-8. */
    static final int COMPLETE = 0;
    /** A byte that cannot be UTF-8 was read; stays so. */
    static final int BROKEN = -1;

    private static final int ANY = (0x80 << 8) | 0xBF; // a continuation byte: 80..BF

    private Utf8Check() {
    }

    /** The state after reading {@code buf}'s readable bytes (not consumed) in state {@code state}. */
    static int scan(int state, ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (state != BROKEN && i < end) {
            if (state == COMPLETE) {
                // ASCII is by far the most common: skip runs of it quickly.
                int ascii = buf.forEachByte(i, end - i, b -> b >= 0);
                if (ascii < 0) {
                    return COMPLETE;
                }
                i = ascii;
            }
            state = next(state, buf.getByte(i++) & 0xFF);
        }
        return state;
    }

    /** The state after one more byte {@code b} (0..255). */
    static int next(int state, int b) {
        if (state == BROKEN) {
            return BROKEN;
        }
        if (state != COMPLETE) {
            int lo = (state >>> 8) & 0xFF;
            int hi = state & 0xFF;
            if (b < lo || b > hi) {
                return BROKEN;
            }
            int owed = (state >>> 16) - 1;
            return owed == 0 ? COMPLETE : (owed << 16) | ANY;
        }
        if (b < 0x80) {
            return COMPLETE;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            return (1 << 16) | ANY;
        }
        if (b == 0xE0) {
            return (2 << 16) | (0xA0 << 8) | 0xBF; // no overlong three-byte forms
        }
        if (b == 0xED) {
            return (2 << 16) | (0x80 << 8) | 0x9F; // no surrogates
        }
        if (b >= 0xE1 && b <= 0xEF) {
            return (2 << 16) | ANY;
        }
        if (b == 0xF0) {
            return (3 << 16) | (0x90 << 8) | 0xBF; // no overlong four-byte forms
        }
        if (b >= 0xF1 && b <= 0xF3) {
            return (3 << 16) | ANY;
        }
        if (b == 0xF4) {
            return (3 << 16) | (0x80 << 8) | 0x8F; // nothing above U+10FFFF
        }
        return BROKEN; // 80..C1 as a first byte, F5..FF
    }
}
