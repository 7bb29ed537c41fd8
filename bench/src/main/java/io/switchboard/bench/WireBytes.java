package io.switchboard.bench;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.protocol.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes on the wire per delivery of the fan-out scenario's {@code message} push, in each wire format, computed
 * with the codecs the node itself uses (the hub encodes a push exactly this way, once per format). One
 * delivery is one envelope; batching adds 1 byte per envelope in JSON (a comma or a bracket) and none in
 * Protobuf, and the WebSocket frame header (2 to 4 bytes for these sizes) is shared by a batch.
 */
final class WireBytes {

    /** One row: what was delivered, and its size in JSON and in Protobuf. */
    record Row(String what, int json, int protobuf) {
        double ratio() {
            return (double) protobuf / json;
        }
    }

    private WireBytes() {
    }

    /**
     * @param payloadBytes the scenario's payload size ({@code --payload-bytes}, 100 by default)
     */
    static List<Row> rows(int payloadBytes) {
        long sent = 1_234_567_890_123_456L; // a nanoTime of the usual width
        long ts = 1_767_225_600_123L;
        String from = "u12345";
        byte[] jsonPayload = Frames.payload(sent, payloadBytes).getBytes(StandardCharsets.UTF_8);
        // The same data as an application that speaks Protobuf would send it: the time as 8 bytes, then padding.
        byte[] binaryPayload = new byte[jsonPayload.length];
        for (int i = 0; i < 8; i++) {
            binaryPayload[i] = (byte) (sent >>> (56 - 8 * i));
        }
        List<Row> rows = new ArrayList<>();
        rows.add(row("the benchmark's JSON payload (" + jsonPayload.length + " B), live channel", jsonPayload, ts, from, null));
        rows.add(row("the same payload on a channel with history", jsonPayload, ts, from, "HOj1pQol"));
        rows.add(row("a binary payload of " + binaryPayload.length + " B (JSON: payloadBase64), live channel", binaryPayload, ts, from, null));
        rows.add(row("the same binary payload on a channel with history", binaryPayload, ts, from, "HOj1pQol"));
        return rows;
    }

    private static Row row(String what, byte[] payload, long ts, String from, String epoch) {
        Envelope.Builder b = Envelope.builder(MessageType.MESSAGE).channel("fanout").ts(ts).from(from).payload(payload);
        if (epoch != null) {
            b.offset(123_456L).epoch(epoch);
        }
        Envelope e = b.build();
        return new Row(what, WireFormat.JSON.encode(e).length, WireFormat.PROTOBUF.encode(e).length);
    }

    public static void main(String[] args) {
        int payloadBytes = args.length > 0 ? Integer.parseInt(args[0]) : new Settings().payloadBytes;
        System.out.println("| delivery | JSON bytes | Protobuf bytes | Protobuf / JSON |");
        System.out.println("|---|---:|---:|---:|");
        for (Row r : rows(payloadBytes)) {
            System.out.printf("| %s | %d | %d | %.2f |%n", r.what(), r.json(), r.protobuf(), r.ratio());
        }
    }
}
