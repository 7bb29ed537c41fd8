package io.switchboard.server.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.config.KafkaConfig.ChannelFrom;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The row and record decoders: the mappings as documented, and random input never throws or lets non-JSON through. */
class DecodersTest {

    static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value, String header, byte[] headerValue) {
        RecordHeaders h = new RecordHeaders();
        if (header != null) {
            h.add(header, headerValue);
        }
        return new ConsumerRecord<>("t", 3, 42, 0L, TimestampType.CREATE_TIME, -1, -1, key, value, h, java.util.Optional.empty());
    }

    static byte[] b(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void eachKafkaMappingFindsChannelPayloadAndKey() {
        KafkaRecords.Decoded byKey = KafkaRecords.decode(ChannelFrom.KEY, record(b("chat:x"), b(" {\"a\":1} "), null, null));
        assertThat(byKey.item().channel()).isEqualTo("chat:x");
        assertThat(byKey.item().idempotencyKey()).isEqualTo("kafka:t:3:42");
        KafkaRecords.Decoded byHeader = KafkaRecords.decode(ChannelFrom.HEADER, record(null, b("[1]"), "channel", b("chat:y")));
        assertThat(byHeader.item().channel()).isEqualTo("chat:y");
        KafkaRecords.Decoded byField = KafkaRecords.decode(ChannelFrom.FIELD, record(null, b("{\"channel\":\"chat:z\",\"payload\":{\"t\":\"hi\"}}"), "idempotency-key", b("order-7")));
        assertThat(byField.item().channel()).isEqualTo("chat:z");
        assertThat(new String(byField.item().payload(), StandardCharsets.UTF_8)).isEqualTo("{\"t\":\"hi\"}");
        assertThat(byField.item().idempotencyKey()).isEqualTo("order-7");
    }

    @Test
    void badRecordsAndRowsAreRefusedWithAReason() {
        assertThat(KafkaRecords.decode(ChannelFrom.KEY, record(null, b("{}"), null, null)).code()).isEqualTo("no_channel");
        assertThat(KafkaRecords.decode(ChannelFrom.KEY, record(b("a"), b("{} {}"), null, null)).code()).isEqualTo("not_json");
        assertThat(KafkaRecords.decode(ChannelFrom.KEY, record(b("a"), b("nope"), null, null)).code()).isEqualTo("not_json");
        assertThat(KafkaRecords.decode(ChannelFrom.KEY, record(new byte[] {(byte) 0xff}, b("1"), null, null)).code()).isEqualTo("unknown_channel");
        assertThat(KafkaRecords.decode(ChannelFrom.FIELD, record(null, b("{\"channel\":3,\"payload\":1}"), null, null)).code()).isEqualTo("no_channel");
        assertThat(KafkaRecords.decode(ChannelFrom.HEADER, record(b("a"), b("1"), null, null)).code()).isEqualTo("no_channel");
        assertThat(new OutboxRow(1, "a", "{", null, 0).decode("t", 1).code()).isEqualTo("not_json");
        assertThat(new OutboxRow(1, null, "{}", null, 0).decode("t", 1).code()).isEqualTo("no_channel");
        assertThat(new OutboxRow(1, "a", "{}", null, 5).decode("t", 2).code()).isEqualTo("bad_partition");
        assertThat(new OutboxRow(9, "a", "{}", null, 1).decode("t", 2).item().idempotencyKey()).isEqualTo("outbox:t:9");
        assertThat(new OutboxRow(9, "a", "{}", "mine", 1).decode("t", 2).item().idempotencyKey()).isEqualTo("mine");
    }

    @Test
    void randomInputNeverThrowsAndOnlyJsonGetsThrough() {
        Random rnd = new Random(20);
        String[] seeds = {"{\"channel\":\"c\",\"payload\":", "{\"a\":[1,2,{\"b\":null}]}", "[", "\"x\"", "1e400", "{\"channel\":\"c\"}", "\u0000"};
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] value = mutate(rnd, seeds[rnd.nextInt(seeds.length)]);
            byte[] key = rnd.nextInt(5) == 0 ? null : mutate(rnd, "chat:x");
            ChannelFrom from = ChannelFrom.values()[rnd.nextInt(3)];
            KafkaRecords.Decoded d = KafkaRecords.decode(from, record(key, value, rnd.nextBoolean() ? "channel" : null, key));
            assertThat(d.item() == null).isEqualTo(d.code() != null);
            if (d.item() != null) {
                accepted++;
                assertThat(Payloads.problem(d.item().payload())).isNull();
                assertThat(d.item().channel()).isNotEmpty();
            }
            OutboxRow.Decoded r = new OutboxRow(i, new String(key == null ? new byte[0] : key, StandardCharsets.UTF_8),
                    new String(value, StandardCharsets.UTF_8), null, rnd.nextInt(3) - 1).decode("t", 2);
            assertThat(r.item() == null).isEqualTo(r.code() != null);
            if (r.item() != null) {
                assertThat(Payloads.problem(r.item().payload())).isNull();
            }
        }
        assertThat(accepted).as("the fuzzer also reaches the accepting paths").isGreaterThan(100);
    }

    private static byte[] mutate(Random rnd, String seed) {
        byte[] b = seed.getBytes(StandardCharsets.UTF_8);
        int edits = rnd.nextInt(4);
        for (int i = 0; i < edits && b.length > 0; i++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(3)) {
                case 0 -> b[at] = (byte) rnd.nextInt(256);
                case 1 -> b = java.util.Arrays.copyOf(b, at);
                default -> {
                    byte[] longer = java.util.Arrays.copyOf(b, b.length + 1);
                    longer[b.length] = (byte) "{}[]\",:0 ".charAt(rnd.nextInt(9));
                    b = longer;
                }
            }
        }
        return b;
    }
}
