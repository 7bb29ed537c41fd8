package io.switchboard.server.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.ClusterConfig;
import io.switchboard.server.config.ConsumersConfig;
import io.switchboard.server.config.KafkaConfig;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.node.Engines;
import io.switchboard.server.testing.ExternalServer;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kafka consumer against a real broker (KRaft, in a JVM of its own) started for this class (issue 20):
 * records are published once and in order per channel (the key names the channel, so a channel lives in
 * one partition), bad records go to the dead-letter topic, offsets are committed; two nodes share the
 * group through a rebalance and the death of one, and a raw-protocol client sees every record once.
 */
class KafkaIT {

    static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    static final io.switchboard.server.config.Namespaces NS = OutboxIT.NS;
    static final List<String> CHANNELS = List.of("feed:0", "feed:1", "feed:2", "feed:3");

    @Test
    void recordsArePublishedOnceInOrderPerChannelAndBadOnesGoToTheDeadLetterTopic() throws Exception {
        createTopic("orders", 4);
        KafkaConfig kafka = KafkaConfig.of(List.of(broker.bootstrap()), List.of("orders")).withGroup("g1")
                .withDeadLetterTopic("orders-dead");
        try (TestServer node = TestServer.start(TestServer.config().namespaces(NS).consumers(new ConsumersConfig(null, kafka)));
             WsClient client = node.client("reader");
             KafkaProducer<String, String> producer = producer()) {
            for (String ch : CHANNELS) {
                assertThat(client.subscribe(ch).type()).isEqualTo(MessageType.ACK);
            }
            Map<String, List<Integer>> expected = new TreeMap<>();
            for (int i = 1; i <= 200; i++) {
                String ch = CHANNELS.get(i % 4);
                expected.computeIfAbsent(ch, k -> new ArrayList<>()).add(i);
                producer.send(new ProducerRecord<>("orders", ch, "{\"n\":" + i + "}"));
                if (i % 50 == 0) {
                    producer.send(new ProducerRecord<>("orders", "nope:x", "{}"));
                    producer.send(new ProducerRecord<>("orders", "feed:0", "not json"));
                }
            }
            for (String ch : CHANNELS) {
                producer.send(new ProducerRecord<>("orders", ch, "{\"done\":true}"));
            }
            producer.flush();
            Map<String, List<Integer>> got = receiveUntilDone(client, CHANNELS.size());
            assertThat(got).as("every record once, in order per channel").isEqualTo(expected);
            List<ConsumerRecord<String, String>> dead = read("orders-dead", 8);
            assertThat(dead).hasSize(8);
            assertThat(dead).extracting(r -> new String(r.headers().lastHeader("switchboard-reason").value(), StandardCharsets.UTF_8))
                    .anyMatch(s -> s.startsWith("unknown_channel: no namespace 'nope'")).anyMatch(s -> s.startsWith("not_json: "));
            try (Admin admin = broker.admin()) {
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(committed(admin, "g1")).isEqualTo(ends(admin, "orders")));
            }
            assertThat(OutboxIT.get(node.port(), "/readyz")).contains("\"kafka\":{\"reachable\":true}");
            assertThat(node.server.metrics().scrape()).contains("switchboard_consumer_published_total{source=\"kafka\"} 204.0")
                    .contains("switchboard_consumer_dead_letters_total{reason=\"not_json\",source=\"kafka\"} 4.0");
        }
    }

    @Test
    void twoNodesShareTheGroupThroughARebalanceAndAKillWithoutLossOrDuplicate() throws Exception {
        createTopic("events", 4);
        int total = 1200;
        KafkaConfig kafka = KafkaConfig.of(List.of(broker.bootstrap()), List.of("events")).withGroup("g2")
                .withDeadLetterTopic("events-dead").withProperties(Map.of(), 50);
        try (ExternalServer redis = ExternalServer.redis()) {
            ClusterConfig cluster = new ClusterConfig("redis", List.of(redis.url()), null, null);
            ServerConfig plain = TestServer.config().namespaces(NS).cluster(cluster);
            ServerConfig consuming = plain.consumers(new ConsumersConfig(null, kafka));
            try (TestServer reader = TestServer.start(plain, Engines.create(cluster));
                 WsClient client = readyClient(reader);
                 KafkaProducer<String, String> producer = producer()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> reader.server.engine().isReady());
                for (String ch : CHANNELS) {
                    assertThat(client.subscribe(ch).type()).isEqualTo(MessageType.ACK);
                }
                TestServer a = TestServer.start(consuming, Engines.create(cluster));
                TestServer b = null;
                Map<String, List<Integer>> expected = new TreeMap<>();
                Map<String, List<Integer>> got = new TreeMap<>();
                int received = 0;
                try {
                    for (int i = 1; i <= total; i++) {
                        String ch = CHANNELS.get(i % 4);
                        expected.computeIfAbsent(ch, k -> new ArrayList<>()).add(i);
                        producer.send(new ProducerRecord<>("events", ch, "{\"n\":" + i + "}"));
                        if (i % 100 == 0) {
                            producer.flush();
                            // Keep up with the stream, so that the rebalance and the kill happen while it flows.
                            while (received < i - 150) {
                                received += take(client, got);
                            }
                        }
                        if (i == 300) {
                            b = TestServer.start(consuming, Engines.create(cluster)); // joins the group: a rebalance
                        }
                        if (i == 800) {
                            a.close(); // killed mid-stream: what it published but had not committed is read again by b
                        }
                    }
                    for (String ch : CHANNELS) {
                        producer.send(new ProducerRecord<>("events", ch, "{\"done\":true}"));
                    }
                    producer.flush();
                    Map<String, List<Integer>> rest = receiveUntilDone(client, CHANNELS.size());
                    rest.forEach((ch, ns) -> got.computeIfAbsent(ch, k -> new ArrayList<>()).addAll(ns));
                    assertThat(got).as("every record once, in order per channel, across the rebalance and the kill").isEqualTo(expected);
                } finally {
                    a.close();
                    if (b != null) {
                        b.close();
                    }
                }
            }
        }
    }

    private static WsClient readyClient(TestServer node) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> node.server.engine().isReady());
        return node.client("reader");
    }

    /** Takes one message into {@code got}; returns 1. */
    private static int take(WsClient client, Map<String, List<Integer>> got) throws InterruptedException {
        Envelope e = client.await(m -> m.type() == MessageType.MESSAGE, Duration.ofSeconds(30));
        got.computeIfAbsent(e.channel(), k -> new ArrayList<>()).add(Integer.parseInt(e.payloadText().replaceAll("\\D", "")));
        return 1;
    }

    static Map<String, List<Integer>> receiveUntilDone(WsClient client, int channels) throws InterruptedException {
        Map<String, List<Integer>> got = new TreeMap<>();
        int done = 0;
        while (done < channels) {
            Envelope e = client.await(m -> m.type() == MessageType.MESSAGE, Duration.ofSeconds(30));
            String text = e.payloadText();
            if (text.contains("done")) {
                done++;
            } else {
                got.computeIfAbsent(e.channel(), k -> new ArrayList<>()).add(Integer.parseInt(text.replaceAll("\\D", "")));
            }
        }
        return got;
    }

    private static void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static List<ConsumerRecord<String, String>> read(String topic, int atLeast) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet()) {
            out.put(e.getKey(), e.getValue().offset());
        }
        return out;
    }

    private static Map<TopicPartition, Long> ends(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> q = new HashMap<>();
        for (int p = 0; p < 4; p++) {
            q.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        // A partition no record went to has nothing to commit.
        admin.listOffsets(q).all().get().forEach((tp, info) -> {
            if (info.offset() > 0) {
                out.put(tp, info.offset());
            }
        });
        return out;
    }
}
