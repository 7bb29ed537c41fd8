package io.switchboard.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Byte-level scanning of received text frames, so that the generator never decodes JSON on the hot
 * path. Every benchmark payload carries {@code "sent":<nanoTime>}; a frame may hold several (a
 * Switchboard batch is a JSON array of envelopes), and each occurrence is one delivery.
 */
final class Frames {

    static final byte[] SENT = "\"sent\":".getBytes(StandardCharsets.US_ASCII);
    /** The stamp inside a JSON string (Pusher's {@code data} is the payload as a string): {@code \"sent\":}. */
    static final byte[] SENT_IN_STRING = "\\\"sent\\\":".getBytes(StandardCharsets.US_ASCII);

    interface SentConsumer {
        void accept(long sentNanos);
    }

    private Frames() {
    }

    /** Calls {@code sink} once per {@code "sent":N} in the readable bytes; returns how many it found. */
    static int scanSent(ByteBuf buf, SentConsumer sink) {
        return scanSent(buf, SENT, sink);
    }

    /** Calls {@code sink} once per {@code stamp} followed by a number; returns how many it found. */
    static int scanSent(ByteBuf buf, byte[] stamp, SentConsumer sink) {
        int found = 0;
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while ((i = indexOf(buf, stamp, i, end)) >= 0) {
            i += stamp.length;
            boolean negative = i < end && buf.getByte(i) == '-';
            if (negative) {
                i++;
            }
            long v = 0;
            int digits = 0;
            while (i < end) {
                byte b = buf.getByte(i);
                if (b < '0' || b > '9') {
                    break;
                }
                v = v * 10 + (b - '0');
                i++;
                digits++;
            }
            if (digits > 0) {
                sink.accept(negative ? -v : v);
                found++;
            }
        }
        return found;
    }

    /** Whether {@code needle} occurs in the readable bytes. */
    static boolean contains(ByteBuf buf, byte[] needle) {
        return indexOf(buf, needle, buf.readerIndex(), buf.writerIndex()) >= 0;
    }

    static boolean startsWith(ByteBuf buf, byte[] prefix) {
        if (buf.readableBytes() < prefix.length) {
            return false;
        }
        int r = buf.readerIndex();
        for (int k = 0; k < prefix.length; k++) {
            if (buf.getByte(r + k) != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    static int indexOf(ByteBuf buf, byte[] needle, int from, int end) {
        byte first = needle[0];
        outer:
        for (int i = from; i <= end - needle.length; i++) {
            if (buf.getByte(i) != first) {
                continue;
            }
            for (int k = 1; k < needle.length; k++) {
                if (buf.getByte(i + k) != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A payload of about {@code size} bytes: {@code {"sent":N,"pad":"xxx..."}}. */
    static String payload(long sentNanos, int size) {
        StringBuilder sb = new StringBuilder(size + 8).append("{\"sent\":").append(sentNanos).append(",\"pad\":\"");
        while (sb.length() < size - 2) {
            sb.append('x');
        }
        return sb.append("\"}").toString();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
