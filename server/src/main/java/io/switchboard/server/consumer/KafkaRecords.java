package io.switchboard.server.consumer;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonFactory;
import io.switchboard.server.config.KafkaConfig.ChannelFrom;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns a Kafka record into a publication (docs/consumers.md): the channel comes from the record's key,
 * its {@code channel} header, or the {@code channel} field of a JSON value {@code {"channel", "payload"}};
 * the payload is the value (or that field's {@code payload}); the idempotency key is the
 * {@code idempotency-key} header when there is one, else {@code kafka:<topic>:<partition>:<offset>}.
 */
final class KafkaRecords {

    static final String CHANNEL_HEADER = "channel";
    static final String KEY_HEADER = "idempotency-key";

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build()).build());

    /** The publication, or the dead-letter code and reason: exactly one of the two is set. */
    record Decoded(OrderedPublisher.Item item, String code, String reason) {
        static Decoded bad(String code, String reason) {
            return new Decoded(null, code, reason);
        }
    }

    private KafkaRecords() {
    }

    static Decoded decode(ChannelFrom from, ConsumerRecord<byte[], byte[]> r) {
        String key;
        try {
            byte[] k = lastHeader(r, KEY_HEADER);
            key = k == null ? "kafka:" + r.topic() + ":" + r.partition() + ":" + r.offset() : utf8(k);
        } catch (CharacterCodingException e) {
            return Decoded.bad("bad_request", "the idempotency-key header is not UTF-8");
        }
        String channel;
        byte[] payload;
        if (from == ChannelFrom.FIELD) {
            JsonNode value;
            try {
                value = r.value() == null ? null : JSON.readTree(r.value());
            } catch (Exception e) {
                return Decoded.bad("not_json", "the value is not JSON");
            }
            if (value == null || !value.isObject()) {
                return Decoded.bad("not_json", "the value is not a JSON object {\"channel\": ..., \"payload\": ...}");
            }
            JsonNode ch = value.get("channel");
            if (ch == null || !ch.isTextual() || ch.asText().isEmpty()) {
                return Decoded.bad("no_channel", "the value has no \"channel\" string");
            }
            JsonNode p = value.get("payload");
            if (p == null || p.isMissingNode()) {
                return Decoded.bad("not_json", "the value has no \"payload\"");
            }
            channel = ch.asText();
            try {
                payload = JSON.writeValueAsBytes(p);
            } catch (Exception e) {
                return Decoded.bad("not_json", "the payload cannot be written as JSON");
            }
        } else {
            byte[] raw = from == ChannelFrom.KEY ? r.key() : lastHeader(r, CHANNEL_HEADER);
            if (raw == null || raw.length == 0) {
                return Decoded.bad("no_channel", from == ChannelFrom.KEY ? "the record has no key" : "the record has no channel header");
            }
            try {
                channel = utf8(raw);
            } catch (CharacterCodingException e) {
                return Decoded.bad("unknown_channel", "the channel name is not UTF-8");
            }
            payload = r.value();
            String problem = Payloads.problem(payload);
            if (problem != null) {
                return Decoded.bad("not_json", problem);
            }
        }
        return new Decoded(new OrderedPublisher.Item(channel, payload, key), null, null);
    }

    private static byte[] lastHeader(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : h.value();
    }

    private static String utf8(byte[] b) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    }
}
