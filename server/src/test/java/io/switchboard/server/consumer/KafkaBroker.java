package io.switchboard.server.consumer;

import io.switchboard.testing.KafkaProcess;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real Kafka broker of the test's own ({@link KafkaProcess}: KRaft mode, a separate JVM started from the
 * Kafka server jars on the test class path, free loopback ports), plus an admin client for the tests.
 */
final class KafkaBroker implements AutoCloseable {

    private final KafkaProcess process;

    private KafkaBroker(KafkaProcess process) {
        this.process = process;
    }

    static KafkaBroker start() throws Exception {
        return new KafkaBroker(KafkaProcess.start(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))));
    }

    String bootstrap() {
        return process.bootstrap();
    }

    Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    @Override
    public void close() throws Exception {
        process.close();
    }
}
