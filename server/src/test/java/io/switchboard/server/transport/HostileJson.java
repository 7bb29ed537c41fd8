package io.switchboard.server.transport;

import io.switchboard.server.testing.RawWebSocket;
import io.switchboard.server.testing.RawWebSocket.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Randomised hostile JSON for {@link RfcConformanceIT}: envelopes with every field in every wrong type,
 * unknown and repeated fields, huge numbers and strings, escapes of control characters and lone
 * surrogates, deep nesting, oversized batches, and mutations of all of these; always valid UTF-8 text
 * frames. Each one is followed by a ping command that must be answered, unless the node closed the
 * connection with a documented code first (then a new connection takes over).
 */
final class HostileJson {

    /** What a text frame of valid UTF-8 may end in: too big (1009), or the bad-input rule (4002). */
    static final Set<Integer> DOCUMENTED_CLOSES = Set.of(1009, 4002);

    record Result(int frames, int unanswered, TreeMap<Integer, Integer> closes, List<String> examples) {
    }

    private static final String[] TYPES = {"subscribe", "unsubscribe", "publish", "presence", "history", "refresh", "ping",
        "pong", "welcome", "ack", "error", "message", "presenceUpdate", "unsubscribed", "PING", "", "teleport"};
    private static final String[] FIELDS = {"v", "type", "id", "channel", "payload", "since", "offset", "ts", "limit", "epoch",
        "from", "token", "idempotencyKey", "code", "message", "retryable", "reverse", "x", "__proto__", ""};
    private static final String[] CHANNELS = {"chat:fz", "fz", "nosuch:x", "chat:#alice,bob", ":x", "chat:", "a/b=c@d.e",
        "chat:\u00e9", "chat: space", "c".repeat(256)};

    private HostileJson() {
    }

    static Result run(int port, long seed, int frames) throws Exception {
        Random rnd = new Random(seed);
        TreeMap<Integer, Integer> closes = new TreeMap<>();
        List<String> examples = new ArrayList<>();
        int unanswered = 0;
        RawWebSocket ws = open(port);
        try {
            for (int i = 0; i < frames; i++) {
                String hostile = frame(rnd);
                String sentinel = "sentinel-" + i;
                ws.send(RawWebSocket.text(hostile), RawWebSocket.text("{\"v\":1,\"type\":\"ping\",\"id\":\"" + sentinel + "\"}"));
                List<Frame> got = ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT && f.text().contains("\"id\":\"" + sentinel + "\""));
                Frame last = got.isEmpty() ? null : got.get(got.size() - 1);
                if (last != null && last.opcode() == RawWebSocket.CLOSE) {
                    closes.merge(last.closeCode(), 1, Integer::sum);
                } else if (last == null || !last.text().contains("\"pong\"")) {
                    unanswered++;
                    if (examples.size() < 3) {
                        examples.add(hostile.length() > 300 ? hostile.substring(0, 300) + "..." : hostile);
                    }
                } else {
                    continue;
                }
                ws.close();
                ws = open(port);
            }
        } finally {
            ws.close();
        }
        return new Result(frames, unanswered, closes, examples);
    }

    private static RawWebSocket open(int port) throws Exception {
        RawWebSocket ws = RawWebSocket.open(port);
        ws.readUntil(f -> f.text().contains("welcome"));
        return ws;
    }

    static String frame(Random r) {
        String s = switch (r.nextInt(8)) {
            case 0, 1, 2 -> envelope(r);
            case 3 -> batch(r);
            case 4 -> value(r, 0);
            case 5 -> mutate(r, envelope(r));
            case 6 -> mutate(r, batch(r));
            default -> "{\"v\":1,\"type\":\"publish\",\"id\":\"" + r.nextInt(100) + "\",\"channel\":\"chat:fz\",\"payload\":"
                    + value(r, 0) + "}";
        };
        return s;
    }

    private static String batch(Random r) {
        StringBuilder b = new StringBuilder("[");
        int n = r.nextInt(10) == 0 ? 90 + r.nextInt(20) : r.nextInt(6);
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append(r.nextInt(5) == 0 ? value(r, 1) : envelope(r));
        }
        return b.append(']').toString();
    }

    private static String envelope(Random r) {
        StringBuilder b = new StringBuilder("{");
        int n = r.nextInt(9);
        if (r.nextInt(4) != 0) {
            b.append("\"v\":1,\"type\":\"").append(TYPES[r.nextInt(TYPES.length)]).append("\",");
        }
        for (int i = 0; i < n; i++) {
            String field = FIELDS[r.nextInt(FIELDS.length)];
            b.append('"').append(field).append("\":").append(fieldValue(r, field)).append(',');
        }
        if (b.charAt(b.length() - 1) == ',') {
            b.setLength(b.length() - 1);
        }
        return b.append('}').toString();
    }

    private static String fieldValue(Random r, String field) {
        if (r.nextInt(3) == 0) {
            return value(r, 1); // any value of any type
        }
        return switch (field) {
            case "v" -> r.nextBoolean() ? "1" : String.valueOf(r.nextInt(5) - 1);
            case "type" -> '"' + TYPES[r.nextInt(TYPES.length)] + '"';
            case "id" -> r.nextBoolean() ? "\"" + Integer.toHexString(r.nextInt()) + "\"" : String.valueOf(r.nextLong());
            case "channel" -> '"' + CHANNELS[r.nextInt(CHANNELS.length)] + '"';
            case "since" -> "{\"epoch\":" + value(r, 2) + ",\"offset\":" + number(r) + "}";
            case "limit", "offset", "ts" -> number(r);
            default -> value(r, 1);
        };
    }

    /** Any JSON value; deep nesting, long numbers and long strings now and then. */
    static String value(Random r, int depth) {
        int pick = r.nextInt(depth > 6 ? 6 : 9);
        switch (pick) {
            case 0:
                return "null";
            case 1:
                return r.nextBoolean() ? "true" : "false";
            case 2:
            case 3:
                return number(r);
            case 4:
            case 5:
                return string(r);
            case 6: {
                StringBuilder b = new StringBuilder("[");
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    b.append(i == 0 ? "" : ",").append(value(r, depth + 1));
                }
                return b.append(']').toString();
            }
            case 7: {
                StringBuilder b = new StringBuilder("{");
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    b.append(i == 0 ? "" : ",").append(string(r)).append(':').append(value(r, depth + 1));
                }
                return b.append('}').toString();
            }
            default: {
                int d = r.nextInt(4) == 0 ? 60 + r.nextInt(20) : 1 + r.nextInt(40); // around the depth limit of 64
                return "[".repeat(d) + (r.nextBoolean() ? number(r) : "") + "]".repeat(d);
            }
        }
    }

    private static String number(Random r) {
        StringBuilder b = new StringBuilder();
        if (r.nextBoolean()) {
            b.append('-');
        }
        int digits = r.nextInt(10) == 0 ? 1 + r.nextInt(5000) : 1 + r.nextInt(25);
        b.append(1 + r.nextInt(9));
        for (int i = 1; i < digits; i++) {
            b.append(r.nextInt(10));
        }
        if (r.nextInt(4) == 0) {
            b.append('.').append(r.nextInt(1000));
        }
        if (r.nextInt(5) == 0) {
            b.append(r.nextBoolean() ? "e" : "E-").append(r.nextInt(r.nextBoolean() ? 400 : Integer.MAX_VALUE));
        }
        return b.toString();
    }

    private static String string(Random r) {
        StringBuilder b = new StringBuilder("\"");
        int n = r.nextInt(10) == 0 ? r.nextInt(6_000) : r.nextInt(20);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(12)) {
                case 0 -> b.append("\\n");
                case 1 -> b.append("\\u0000");
                case 2 -> b.append(r.nextBoolean() ? "\\ud800" : "\\udfff"); // lone surrogates, escaped
                case 3 -> b.append("\\\"");
                case 4 -> b.append("\u00e9\u4e2d");
                case 5 -> b.appendCodePoint(0x1F600);
                case 6 -> b.append("\u2028");
                default -> b.append((char) ('a' + r.nextInt(26)));
            }
        }
        return b.append('"').toString();
    }

    /** A few characters replaced by JSON's structural ones (the result stays valid UTF-8). */
    private static String mutate(Random r, String s) {
        if (s.isEmpty()) {
            return s;
        }
        char[] c = s.toCharArray();
        String structural = "{}[]\",:\\0-e.tn";
        for (int m = 0; m < 1 + r.nextInt(3); m++) {
            int at = r.nextInt(c.length);
            if (!Character.isSurrogate(c[at])) {
                c[at] = structural.charAt(r.nextInt(structural.length()));
            }
        }
        return new String(c);
    }
}
