package io.switchboard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The defaults and range rules of LimitsConfig, each refusal naming its option, and that a with-method changes one value only. */
class LimitsConfigTest {

    private static final LimitsConfig D = LimitsConfig.DEFAULT;

    private static void refused(Supplier<?> build, String key, String reason) {
        assertThatThrownBy(build::get).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            assertThat(e.key()).isEqualTo(key);
            assertThat(e.reason()).isEqualTo(reason);
        });
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertThat(D).isEqualTo(new LimitsConfig(128, 50, Duration.ofSeconds(10), 100, 200, 100, 5000, 100, 500));
        assertThat(new ServerConfig().limits()).isSameAs(D);
    }

    @Test
    void aWithMethodChangesItsValueAndLeavesTheRestAndTheReceiverAlone() {
        assertThat(D.withMaxChannelsPerConnection(3)).isEqualTo(new LimitsConfig(3, 50, Duration.ofSeconds(10), 100, 200, 100, 5000, 100, 500));
        assertThat(D.withErrorBurstLimit(3).errorBurstLimit()).isEqualTo(3);
        assertThat(D.withErrorBurstWindow(Duration.ofSeconds(3)).errorBurstWindow()).isEqualTo(Duration.ofSeconds(3));
        assertThat(D.withCommandsPerSecond(3).commandsPerSecond()).isEqualTo(3);
        assertThat(D.withCommandBurst(3).commandBurst()).isEqualTo(3);
        assertThat(D.withMaxConnectionsPerUser(3).maxConnectionsPerUser()).isEqualTo(3);
        assertThat(D.withMaxConnectionsPerIp(3).maxConnectionsPerIp()).isEqualTo(3);
        assertThat(D.withNewConnectionsPerSecondPerIp(3).newConnectionsPerSecondPerIp()).isEqualTo(3);
        assertThat(D.withNewConnectionsBurstPerIp(3)).isEqualTo(new LimitsConfig(128, 50, Duration.ofSeconds(10), 100, 200, 100, 5000, 100, 3));
        assertThat(D.maxChannelsPerConnection()).isEqualTo(128);
    }

    @Test
    void countsAndBurstsHaveAFloorOfOne() {
        refused(() -> D.withMaxChannelsPerConnection(-1), "max-channels", "must be at least 1");
        refused(() -> D.withMaxChannelsPerConnection(0), "max-channels", "must be at least 1");
        refused(() -> D.withErrorBurstLimit(0), "error-burst-limit", "must be at least 1");
        refused(() -> D.withCommandBurst(0), "command-burst", "must be at least 1");
        refused(() -> D.withNewConnectionsBurstPerIp(0), "new-connections-burst-per-ip", "must be at least 1");
    }

    @Test
    void zeroSwitchesTheRatesAndConnectionCountsOff() {
        LimitsConfig off = D.withCommandsPerSecond(0).withMaxConnectionsPerUser(0).withMaxConnectionsPerIp(0)
                .withNewConnectionsPerSecondPerIp(0);
        assertThat(off.commandsPerSecond()).isZero();
        assertThat(off.maxConnectionsPerUser()).isZero();
        assertThat(off.maxConnectionsPerIp()).isZero();
        assertThat(off.newConnectionsPerSecondPerIp()).isZero();
        refused(() -> D.withCommandsPerSecond(-1), "commands-per-second", "must be at least 0");
        refused(() -> D.withMaxConnectionsPerUser(-1), "max-connections-per-user", "must be at least 0");
        refused(() -> D.withMaxConnectionsPerIp(-5), "max-connections-per-ip", "must be at least 0");
        refused(() -> D.withNewConnectionsPerSecondPerIp(-1), "new-connections-per-second-per-ip", "must be at least 0");
    }

    @Test
    void theErrorWindowIsLongerThanZero() {
        refused(() -> D.withErrorBurstWindow(Duration.ZERO), "error-burst-window", "must be longer than 0");
        refused(() -> D.withErrorBurstWindow(Duration.ofSeconds(-1)), "error-burst-window", "must be longer than 0");
        refused(() -> D.withErrorBurstWindow(null), "error-burst-window", "must be longer than 0");
    }

    @Test
    void aConfigTakesNoNullLimits() {
        assertThatThrownBy(() -> new ServerConfig().limits(null)).isInstanceOf(NullPointerException.class);
    }
}
