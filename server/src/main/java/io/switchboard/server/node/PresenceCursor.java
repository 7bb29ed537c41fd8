package io.switchboard.server.node;

import io.switchboard.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * The {@code cursor} of a presence page: the connection id the next page starts after, bound to its channel
 * by a checksum, so that a cursor of another channel, or a made-up string, is refused rather than read.
 * It is a position, not a snapshot: it never goes stale, and paging with it lists every connection that stays
 * present throughout exactly once, whatever joins and leaves meanwhile.
 */
public final class PresenceCursor {

    private static final int MAX_LENGTH = 256;

    private PresenceCursor() {
    }

    /** The cursor that continues after {@code clientId} in {@code channel}. */
    public static String of(String channel, String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id) + "." + check(channel, clientId);
    }

    /** The connection id a cursor continues after; {@code bad_request} when it was not given out for {@code channel}. */
    public static String position(String channel, String cursor) {
        int dot = cursor.lastIndexOf('.');
        if (cursor.length() <= MAX_LENGTH && dot > 0) {
            try {
                String id = new String(Base64.getUrlDecoder().decode(cursor.substring(0, dot)), StandardCharsets.UTF_8);
                if (cursor.substring(dot + 1).equals(check(channel, id))) {
                    return id;
                }
            } catch (IllegalArgumentException notBase64) {
                // refused below
            }
        }
        throw new ChannelException(ErrorCode.BAD_REQUEST, "cursor is not one that presence of this channel gave out");
    }

    private static String check(String channel, String clientId) {
        CRC32 crc = new CRC32();
        crc.update((channel + '\n' + clientId).getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }
}
