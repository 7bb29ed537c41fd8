package io.switchboard.protocol;

/** One element of a decoded frame: a well-formed {@link Envelope}, or a {@link Rejected} one with its error. */
public sealed interface Decoded permits Envelope, Rejected {
}
