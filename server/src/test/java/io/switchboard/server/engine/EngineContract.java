package io.switchboard.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine contract suite: every test of the {@code *Contract} interfaces, run against one engine
 * set-up. A set-up is a subclass that says how to make one engine ({@link #newEngine}) and whether its
 * engines share state like the nodes of a cluster; it starts and stops whatever servers it needs.
 *
 * <p>Where an engine may legitimately differ (a single-node engine has no second node), the tests ask
 * {@link #sharesState()} and check the single-node promise instead; no test is skipped. Every test uses
 * channels of its own, and every node it made is closed after it.
 */
public abstract class EngineContract implements DeliveryContract, IdempotencyContract, HistoryContract,
        PresenceContract, ClusterBusContract, EventQueueContract {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final List<TestNode> nodes = new ArrayList<>();
    private String testId;

    /** A new engine of this set-up, not yet started. */
    protected abstract Engine newEngine();

    /** The name the set-up's engines give themselves. */
    protected abstract String expectedName();

    @BeforeEach
    void newTestId() {
        testId = Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(TestNode::close);
        for (TestNode n : nodes) {
            assertThat(n.overlaps.get()).as("overlapping sink calls for one channel").isZero();
            assertThat(n.gaps).as("gaps reported while nothing failed").isEmpty();
        }
        nodes.clear();
    }

    @Override
    public final TestNode node() {
        Engine engine = newEngine();
        try {
            TestNode n = new TestNode(engine);
            nodes.add(n);
            return n;
        } catch (RuntimeException | Error e) {
            engine.close();
            throw e;
        }
    }

    @Override
    public final String channel(String what) {
        return "contract:" + what + "-" + testId;
    }

    @Test
    void theEngineNamesItsSetUpAndIsReadyOnceStarted() {
        TestNode a = node();
        assertThat(a.isReady()).isTrue();
        assertThat(a.name()).isEqualTo(expectedName());
    }
}
