package io.switchboard.protocol;

/**
 * An envelope that was well-formed JSON but not a valid v1 envelope. {@code id} is the command's id when
 * it could be read (so the error can echo it), otherwise null.
 */
public record Rejected(CommandId id, ErrorCode code, String message) implements Decoded {
}
