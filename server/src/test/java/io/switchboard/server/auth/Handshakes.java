package io.switchboard.server.auth;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.testing.WsClient;

/** Opens a WebSocket with a token and reports what the node answered: a welcome, or an error and its close code. */
final class Handshakes {

    /** The first answer to a handshake; {@code close} is set only for a refusal. */
    record Answer(Envelope envelope, Integer close) {
        boolean welcomed() {
            return envelope.type() == MessageType.WELCOME;
        }

        String code() {
            return envelope.code();
        }

        @Override
        public String toString() {
            return welcomed() ? "welcome " + envelope.payloadText() : "error " + envelope.code() + " '" + envelope.message() + "' close " + close;
        }
    }

    private Handshakes() {
    }

    static Answer connect(int port, String token) throws Exception {
        try (WsClient c = WsClient.to(port).token(token).connect()) {
            Envelope first = c.await(e -> e.type() == MessageType.WELCOME || e.type() == MessageType.ERROR);
            return first.type() == MessageType.WELCOME ? new Answer(first, null) : new Answer(first, c.awaitClose());
        }
    }

    /** For Awaitility: true once the node welcomes this token. */
    static boolean welcomes(int port, String token) throws Exception {
        return connect(port, token).welcomed();
    }
}
