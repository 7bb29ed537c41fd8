package io.switchboard.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a node decides from its configuration alone: the grain of its connections' timers. */
class NodeTest {

    @Test
    void theTimersGrainIsFiftyMillisecondsOrATwentiethOfAShortHeartbeatInterval() {
        assertThat(Node.timerGrain(25_000)).as("the default interval").isEqualTo(50);
        assertThat(Node.timerGrain(1_000)).isEqualTo(50);
        assertThat(Node.timerGrain(250)).as("a test's interval").isEqualTo(12);
        assertThat(Node.timerGrain(10)).as("never under a millisecond").isEqualTo(1);
    }
}
