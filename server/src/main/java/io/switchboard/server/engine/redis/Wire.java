package io.switchboard.server.engine.redis;

import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PresenceUpdate;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes nodes exchange through Redis (pub/sub and streams) and NATS. Two kinds, told apart by the
 * first byte:
 * <pre>
 *   m offset \n epoch \n timestamp \n (+from | -) \n (+clientId | -) \n payload     a publication
 *   p (1 | 0) \n timestamp \n µs \n users \n userId                                a presence change
 * </pre>
 * The Lua scripts write the part up to the timestamp (the offset, epoch and time come from Redis);
 * {@link #body} writes the rest. The payload is the publisher's bytes, unchanged.
 */
final class Wire {

    private Wire() {
    }

    /** The publisher's part of a publication: who sent it and the payload. */
    static byte[] body(String from, String clientId, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 48);
        optional(out, from);
        optional(out, clientId);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static void optional(ByteArrayOutputStream out, String s) {
        if (s == null) {
            out.write('-');
        } else {
            out.write('+');
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        }
        out.write('\n');
    }

    static boolean isPublication(byte[] msg) {
        return msg.length > 0 && msg[0] == 'm';
    }

    static boolean isPresence(byte[] msg) {
        return msg.length > 0 && msg[0] == 'p';
    }

    /** Decodes an {@code m} message; throws IllegalArgumentException when it is not one. */
    static Publication publication(String channel, byte[] msg) {
        Cursor c = new Cursor(msg, 1);
        long offset = Long.parseLong(c.line());
        String epoch = c.line();
        long ts = Long.parseLong(c.line());
        String from = c.optionalLine();
        String clientId = c.optionalLine();
        byte[] payload = Arrays.copyOfRange(msg, c.pos, msg.length);
        return new Publication(channel, payload, from, epoch.isEmpty() ? -1 : offset, epoch.isEmpty() ? null : epoch,
                ts, clientId);
    }

    /** Decodes a {@code p} message. */
    static PresenceUpdate presence(String channel, byte[] msg) {
        Cursor c = new Cursor(msg, 1);
        boolean online = c.line().equals("1");
        long ts = Long.parseLong(c.line());
        long order = Long.parseLong(c.line());
        long users = Long.parseLong(c.line());
        String user = new String(msg, c.pos, msg.length - c.pos, StandardCharsets.UTF_8);
        return new PresenceUpdate(channel, user, online, ts, users, order);
    }

    private static final class Cursor {
        final byte[] b;
        int pos;

        Cursor(byte[] b, int pos) {
            this.b = b;
            this.pos = pos;
        }

        String line() {
            int start = pos;
            while (pos < b.length && b[pos] != '\n') {
                pos++;
            }
            if (pos >= b.length) {
                throw new IllegalArgumentException("truncated message");
            }
            return new String(b, start, pos++ - start, StandardCharsets.UTF_8);
        }

        String optionalLine() {
            String s = line();
            return s.startsWith("+") ? s.substring(1) : null;
        }
    }
}
