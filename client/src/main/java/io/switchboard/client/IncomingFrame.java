package io.switchboard.client;

import io.switchboard.protocol.DecodeException;
import io.switchboard.protocol.Decoded;
import io.switchboard.protocol.WireFormat;
import java.util.List;

/**
 * One frame from the server, decoded in the client's wire format off the client's loop: what it held, or why
 * it could not be read (a frame of the other kind, text or binary, than the subprotocol's, or a malformed one).
 * Owns only the decoding; {@link ClientCore} decides what the envelopes and the problem mean.
 *
 * @param decoded the frame's elements, in order; empty when {@code problem} is set
 * @param problem why the frame could not be read, or null
 */
record IncomingFrame(List<Decoded> decoded, DecodeException problem) {

    static IncomingFrame read(WireFormat format, byte[] frame, boolean text) {
        try {
            if (text != format.text()) {
                throw new DecodeException(io.switchboard.protocol.ErrorCode.BAD_REQUEST,
                        (text ? "a text" : "a binary") + " frame on " + format.subprotocol());
            }
            return new IncomingFrame(format.decode(frame), null);
        } catch (DecodeException e) {
            return new IncomingFrame(List.of(), e);
        }
    }
}
