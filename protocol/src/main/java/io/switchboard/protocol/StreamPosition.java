package io.switchboard.protocol;

/** A place in a channel's history stream: the stream's epoch and an offset within it. */
public record StreamPosition(String epoch, long offset) {
}
