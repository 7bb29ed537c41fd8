package io.switchboard.server.consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.server.config.KafkaConfig;
import io.switchboard.server.node.ChannelService;
import io.switchboard.server.util.LogText;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Kafka topics as a member of a consumer group the nodes share and publishes each record
 * (docs/consumers.md). One thread polls; a poll's records are decoded, published through the channel
 * service (in order within a channel), records that cannot be published are written to the dead-letter
 * topic, and only then are the offsets committed: up to the first record the engine failed on, which is
 * read again. A record published but not committed (a node that died, a rebalance) is published again by
 * the next reader with the same idempotency key, which the engine turns into a no-op.
 */
final class KafkaSource implements SourceConsumer {

    private static final Logger log = LoggerFactory.getLogger(KafkaSource.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(30);
    private static final long CHECK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final KafkaConfig config;
    private final OrderedPublisher publisher;
    private final ConsumerMetrics metrics;
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> deadLetters; // created at the first dead letter; poll thread only
    private volatile boolean running = true;
    private volatile boolean reachable;
    private volatile String problem = "not connected yet";
    private long lastCheck;

    KafkaSource(KafkaConfig config, ChannelService channels, MeterRegistry registry) {
        this.config = config;
        this.publisher = new OrderedPublisher(channels, PUBLISH_TIMEOUT);
        this.metrics = new ConsumerMetrics(registry, name(), this);
        this.thread = new Thread(this::run, "switchboard-kafka");
        thread.setDaemon(true);
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public void start() {
        Properties p = new Properties();
        p.putAll(config.properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", config.bootstrapServers()));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxPollRecords()));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        thread.start();
    }

    @Override
    public boolean reachable() {
        return reachable;
    }

    @Override
    public String problem() {
        return reachable ? null : problem;
    }

    @Override
    public ConsumerMetrics metrics() {
        return metrics;
    }

    private void run() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        try {
            c.subscribe(config.topics());
            while (running) {
                check(c);
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    try {
                        handle(c, records);
                    } catch (WakeupException e) {
                        throw e;
                    } catch (KafkaException e) {
                        // Nothing of this poll was committed: read it again from its first record.
                        metrics.error();
                        log.warn("kafka: {}; reading the batch again", LogText.escape(String.valueOf(e.getMessage())));
                        for (TopicPartition tp : records.partitions()) {
                            c.seek(tp, records.records(tp).get(0).offset());
                        }
                        Thread.sleep(1000);
                    }
                }
                lag(c);
            }
        } catch (WakeupException | InterruptedException e) {
            // closing
        } catch (RuntimeException e) {
            if (running) {
                log.error("kafka consumer stopped: {}", LogText.escape(e.toString()));
                reachable = false;
                problem = "stopped: " + LogText.escape(String.valueOf(e.getMessage()));
            }
        } finally {
            reachable = false;
            Thread.interrupted(); // close() interrupted a wait; the client's own close must not see it
            try {
                c.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
            } catch (RuntimeException e) {
                log.debug("closing the kafka consumer: {}", e.toString());
            }
            if (deadLetters != null) {
                deadLetters.close(Duration.ofSeconds(2));
            }
        }
    }

    /** Asks the brokers for the topics every 5 s: what /readyz says of this consumer. */
    private void check(KafkaConsumer<byte[], byte[]> c) {
        if (System.nanoTime() - lastCheck < CHECK_EVERY_NANOS && reachable) {
            return;
        }
        if (System.nanoTime() - lastCheck < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        lastCheck = System.nanoTime();
        try {
            Map<String, ?> topics = c.listTopics(config.reachTimeout());
            List<String> missing = config.topics().stream().filter(t -> !topics.containsKey(t)).toList();
            if (!reachable) {
                log.info("kafka: reading {} as group {}{}", config.topics(), config.groupId(),
                        missing.isEmpty() ? "" : " (not there yet: " + missing + ")");
            }
            reachable = true;
            problem = null;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            metrics.error();
            String why = "the brokers " + config.bootstrapServers() + " do not answer: " + LogText.escape(String.valueOf(e.getMessage()));
            if (reachable || !why.equals(problem)) {
                log.warn("kafka: {}; retrying", why);
            }
            reachable = false;
            problem = why;
        }
    }

    private void handle(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        List<ConsumerRecord<byte[], byte[]>> toPublish = new ArrayList<>();
        List<OrderedPublisher.Item> items = new ArrayList<>();
        Map<ConsumerRecord<byte[], byte[]>, String[]> dead = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            KafkaRecords.Decoded d = KafkaRecords.decode(config.channelFrom(), r);
            if (d.item() == null) {
                dead.put(r, new String[] {d.code(), d.reason()});
            } else {
                toPublish.add(r);
                items.add(d.item());
            }
        }
        List<OrderedPublisher.Outcome> outcomes = publisher.publish(items);
        Map<ConsumerRecord<byte[], byte[]>, Boolean> ok = new HashMap<>();
        int published = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            OrderedPublisher.Outcome o = outcomes.get(i);
            ConsumerRecord<byte[], byte[]> r = toPublish.get(i);
            switch (o.kind()) {
                case PUBLISHED -> {
                    ok.put(r, true);
                    published++;
                }
                case DEAD -> dead.put(r, new String[] {o.code(), o.reason()});
                case RETRY -> ok.put(r, false);
            }
        }
        sendDeadLetters(dead, ok);
        metrics.published(published);
        // Per partition: commit up to the first record not done, and read again from there.
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        boolean retry = false;
        for (TopicPartition tp : records.partitions()) {
            long next = -1;
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                if (!ok.getOrDefault(r, false)) {
                    c.seek(tp, r.offset());
                    retry = true;
                    break;
                }
                next = r.offset() + 1;
            }
            if (next >= 0) {
                commit.put(tp, new OffsetAndMetadata(next));
            }
        }
        if (!commit.isEmpty()) {
            c.commitSync(commit);
        }
        if (retry) {
            metrics.error();
            Thread.sleep(200);
        }
    }

    /** Writes the dead records to the dead-letter topic and waits for the brokers; marks each written one done. */
    private void sendDeadLetters(Map<ConsumerRecord<byte[], byte[]>, String[]> dead,
                                 Map<ConsumerRecord<byte[], byte[]>, Boolean> ok) throws InterruptedException {
        if (dead.isEmpty()) {
            return;
        }
        if (deadLetters == null) {
            Properties p = new Properties();
            p.putAll(config.properties().entrySet().stream().filter(e -> e.getKey().startsWith("security.")
                    || e.getKey().startsWith("ssl.") || e.getKey().startsWith("sasl.")).collect(java.util.stream.Collectors.toMap(
                    Map.Entry::getKey, Map.Entry::getValue)));
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", config.bootstrapServers()));
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            deadLetters = new KafkaProducer<>(p);
        }
        Map<ConsumerRecord<byte[], byte[]>, Future<RecordMetadata>> sent = new HashMap<>();
        for (Map.Entry<ConsumerRecord<byte[], byte[]>, String[]> e : dead.entrySet()) {
            ConsumerRecord<byte[], byte[]> r = e.getKey();
            ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(config.deadLetterTopic(), null, r.key(), r.value(), r.headers());
            out.headers().add("switchboard-reason", (e.getValue()[0] + ": " + e.getValue()[1]).getBytes(StandardCharsets.UTF_8));
            out.headers().add("switchboard-source", (r.topic() + ":" + r.partition() + ":" + r.offset()).getBytes(StandardCharsets.UTF_8));
            sent.put(r, deadLetters.send(out));
        }
        for (Map.Entry<ConsumerRecord<byte[], byte[]>, Future<RecordMetadata>> e : sent.entrySet()) {
            ConsumerRecord<byte[], byte[]> r = e.getKey();
            String[] why = dead.get(r);
            try {
                e.getValue().get(30, TimeUnit.SECONDS);
                ok.put(r, true);
                metrics.deadLetter(why[0]);
                log.warn("kafka: record {}:{}:{} moved to {}: {}: {}", r.topic(), r.partition(), r.offset(), config.deadLetterTopic(),
                        why[0], LogText.escape(why[1]));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
                ok.put(r, false); // read again, moved aside again
                metrics.error();
                log.warn("kafka: cannot write to the dead-letter topic {}: {}", config.deadLetterTopic(), LogText.escape(String.valueOf(ex.getMessage())));
            }
        }
    }

    /** Records waiting in this node's partitions, as the consumer last learnt from the brokers. */
    private void lag(KafkaConsumer<byte[], byte[]> c) {
        long total = 0;
        for (TopicPartition tp : c.assignment()) {
            OptionalLong l = c.currentLag(tp);
            if (l.isPresent()) {
                total += l.getAsLong();
            }
        }
        metrics.lag(total);
    }

    /** Stops polling; what was published but not committed is read again by the partition's next owner. */
    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            // A poll ends at once; a batch being published finishes and commits, unless the engine hangs.
            thread.join(3000);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
