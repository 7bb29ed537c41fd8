package io.switchboard.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.client.Message;
import io.switchboard.client.SubscriptionListener;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.client.SwitchboardException;
import io.switchboard.embedded.Decision;
import io.switchboard.embedded.SubscribeHook;
import io.switchboard.embedded.Switchboard;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The starter in a real application context: properties, hook beans, the meter registry, health, lifecycle. */
class SwitchboardAutoConfigurationIT {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SwitchboardAutoConfiguration.class))
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withBean(SubscribeHook.class, () -> r -> r.channel().startsWith("chat:vip") ? Decision.refuse("vips only") : Decision.allow())
            .withBean(io.switchboard.embedded.RpcHook.class, () -> r -> r.method().equals("whoami")
                    ? io.switchboard.embedded.RpcResult.of("{\"user\":\"" + r.userId() + "\"}")
                    : io.switchboard.embedded.RpcResult.notAvailable("no such method"))
            .withPropertyValues("switchboard.port=0", "switchboard.io-threads=1", "switchboard.drain-window=0s",
                    "switchboard.jwt-secret=a-starter-test-secret-of-32-bytes-at-least",
                    "switchboard.namespaces.orders.history-size=5", "switchboard.namespaces.orders.publish=none",
                    "switchboard.compression=true", "switchboard.compression-threshold=512");

    @Test
    void startsWithTheContextUsesTheHookBeansAndStopsWithIt() {
        SimpleMeterRegistry[] registry = new SimpleMeterRegistry[1];
        runner.run(ctx -> {
            Switchboard sb = ctx.getBean(Switchboard.class);
            registry[0] = (SimpleMeterRegistry) ctx.getBean(MeterRegistry.class);
            assertThat(sb.isRunning()).isTrue();
            assertThat(ctx.getBean(SwitchboardHealthIndicator.class).health(true).getStatus()).isEqualTo(Status.UP);
            // switchboard.namespaces.* reached the node: orders keeps history, and clients may not publish there.
            assertThat(sb.publish("orders:1", "{\"n\":1}").toCompletableFuture().get(10, TimeUnit.SECONDS).offset()).isEqualTo(1);
            try (SwitchboardClient c = SwitchboardClient.builder(sb.webSocketUrl()).token(sb.mintToken("carol", Duration.ofMinutes(1))).build()) {
                c.connect().get(10, TimeUnit.SECONDS);
                assertThat(refusal(c, "chat:vip-lounge")).isEqualTo("forbidden");
                // The RpcHook bean answers the client's rpc.
                assertThat(c.rpc("whoami", null).get(10, TimeUnit.SECONDS)).isEqualTo("{\"user\":\"carol\"}");
                assertThatThrownBy(() -> c.publish("orders:1", "{}").get(10, TimeUnit.SECONDS)).cause()
                        .extracting(e -> ((SwitchboardException) e).code()).isEqualTo("forbidden");
                // Open connections are counted per protocol (native, pusher).
                await().atMost(Duration.ofSeconds(10)).until(() -> registry[0].find("switchboard.connections.open").tag("protocol", "native").gauge() != null
                        && registry[0].get("switchboard.connections.open").tag("protocol", "native").gauge().value() == 1.0);
            }
        });
        // The context closed: the node drained and took its meters out of the application's registry.
        assertThat(registry[0].find("switchboard.connections.open").gauge()).isNull();
    }

    @Test
    void aBadPropertyStopsTheApplicationNamingTheOption() {
        runner.withPropertyValues("switchboard.max-channels=0").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("max-channels");
        });
    }

    @Test
    void warmUpSessionsWarmsTheNodeUpBeforeItStarts() {
        ch.qos.logback.classic.Logger ours = ((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory())
                .getLogger("io.switchboard");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen = new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        ours.addAppender(seen);
        try {
            runner.withPropertyValues("switchboard.warm-up-sessions=100").run(ctx -> {
                assertThat(ctx.getBean(Switchboard.class).isRunning()).isTrue();
                synchronized (seen) {
                    assertThat(seen.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                            .anyMatch(m -> m.startsWith("warmed up: 100 sessions in "));
                }
            });
        } finally {
            ours.detachAppender(seen);
        }
        runner.withPropertyValues("switchboard.warm-up-sessions=-1").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("warm-up-sessions");
        });
        // Spring reads the key from the environment too, in the standalone node's spelling (docs/embedding.md)
        runner.withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addFirst(
                        new org.springframework.core.env.SystemEnvironmentPropertySource("test-systemEnvironment",
                                java.util.Map.of("SWITCHBOARD_WARM_UP_SESSIONS", "-1"))))
                .run(ctx -> {
                    assertThat(ctx).hasFailed();
                    assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("warm-up-sessions");
                });
    }

    @Test
    void switchedOffThereIsNoNode() {
        runner.withPropertyValues("switchboard.enabled=false").run(ctx -> assertThat(ctx).doesNotHaveBean(Switchboard.class));
    }

    private static String refusal(SwitchboardClient c, String channel) throws Exception {
        CompletableFuture<String> code = new CompletableFuture<>();
        c.subscribe(channel, new SubscriptionListener() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onUnsubscribed(SwitchboardException reason) {
                code.complete(reason.code());
            }
        });
        return code.get(10, TimeUnit.SECONDS);
    }
}
