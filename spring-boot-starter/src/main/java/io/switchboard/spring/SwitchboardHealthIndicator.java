package io.switchboard.spring;

import io.switchboard.embedded.Switchboard;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The embedded node in {@code /actuator/health}: UP while it runs and its engine can serve publishes and
 * subscriptions (what the node's own {@code /readyz} says), OUT_OF_SERVICE while it is stopped or
 * draining, DOWN while its engine is not ready (Redis or NATS unreachable). Details: the engine, the
 * node's name, its port and its open connections.
 */
public class SwitchboardHealthIndicator extends AbstractHealthIndicator {

    private final Switchboard switchboard;

    /** The health of {@code switchboard}. */
    public SwitchboardHealthIndicator(Switchboard switchboard) {
        super("switchboard health check failed");
        this.switchboard = switchboard;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (!switchboard.isRunning()) {
            builder.outOfService().withDetail("node", "not running");
            return;
        }
        (switchboard.isReady() ? builder.up() : builder.down())
                .withDetail("engine", switchboard.engineName())
                .withDetail("engineReady", switchboard.isReady())
                .withDetail("node", switchboard.nodeName())
                .withDetail("port", switchboard.port())
                .withDetail("connections", switchboard.connectionCount());
    }
}
