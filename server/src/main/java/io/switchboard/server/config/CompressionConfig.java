package io.switchboard.server.config;

/**
 * permessage-deflate (RFC 7692) on the native endpoint {@code /ws} (docs/protocol.md 1.6). The Pusher
 * endpoint never negotiates it.
 *
 * @param enabled   whether an offer of the extension is accepted; off: it is declined, and a frame with
 *                  RSV1 set closes the connection with 1002
 * @param threshold the smallest outbound message, in bytes, that is compressed; smaller ones go out
 *                  uncompressed (RSV1 clear)
 * @param level     the zlib level, 1 (fastest) to 9 (smallest)
 */
public record CompressionConfig(boolean enabled, int threshold, int level) {

    /** Off; when turned on: messages from 256 bytes, zlib level 6. */
    public static final CompressionConfig DEFAULT = new CompressionConfig(false, 256, 6);

    public CompressionConfig {
        if (threshold < 0) {
            throw new InvalidConfigException("compression-threshold", "must not be negative");
        }
        if (level < 1 || level > 9) {
            throw new InvalidConfigException("compression-level", "must be 1 to 9");
        }
    }

    public CompressionConfig withEnabled(boolean enabled) {
        return new CompressionConfig(enabled, threshold, level);
    }

    public CompressionConfig withThreshold(int threshold) {
        return new CompressionConfig(enabled, threshold, level);
    }

    public CompressionConfig withLevel(int level) {
        return new CompressionConfig(enabled, threshold, level);
    }
}
