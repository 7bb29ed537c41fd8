package io.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.config.LimitsConfig;
import io.switchboard.server.config.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WarmUpTest {

    @Test
    void everySessionGoesThroughAndTheThrowawayNodeIsGoneAfterwards() {
        WarmUp.Result r = WarmUp.run(new ServerConfig(), 300, Duration.ofSeconds(60));

        assertThat(r.problem()).isNull();
        assertThat(r.started()).isEqualTo(300);
        // completed: the session's publish was acked and a message of its channel reached it before it closed
        assertThat(r.completed()).isEqualTo(300);
        assertThat(r.port()).isPositive();
        assertThat(accepts(r.port())).as("the throwaway node's port after the warm-up").isFalse();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(n -> n.startsWith("switchboard-warm-up"));
    }

    @Test
    void aWarmUpOverItsBudgetIsReportedAndDoesNotThrow() {
        WarmUp.Result r = WarmUp.run(new ServerConfig(), 100_000, Duration.ofMillis(300));

        assertThat(r.problem()).isEqualTo("it took longer than 300 ms");
        assertThat(r.completed()).isLessThan(100_000);
        assertThat(accepts(r.port())).isFalse();
    }

    @Test
    void theThrowawayNodeKeepsTheLimitsOfAConnectionButNoneOfAnAddressOrAUser() {
        LimitsConfig given = new LimitsConfig(7, 9, Duration.ofSeconds(3), 11, 13, 15, 17, 19, 21);

        LimitsConfig used = WarmUp.unlimitedFromOneAddress(given);

        assertThat(used).isEqualTo(new LimitsConfig(7, 9, Duration.ofSeconds(3), 11, 13, 0, 0, 0, 21));
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
