package io.switchboard.server.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.server.engine.PresenceEntry;
import io.switchboard.server.engine.PresenceUpdate;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublicationSink;
import io.switchboard.server.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Presence TTLs measured by the engine's clock, moved by the test: an entry lives exactly its TTL unless
 * renewed, and its expiry is announced once; a renewed one stays. No waiting, no sleep.
 */
class MemoryEngineClockTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));
    final List<String> announced = new ArrayList<>();

    @Test
    void anEntryNotRenewedExpiresAfterItsTtlAndARenewedOneStays() {
        try (MemoryEngine engine = new MemoryEngine(Duration.ofHours(1), clock)) { // the test sweeps, not the thread
            engine.start(new PublicationSink() {
                @Override
                public void onPublication(Publication p) {
                }

                @Override
                public void onPresenceUpdate(PresenceUpdate u) {
                    announced.add(u.userId() + (u.online() ? " online" : " offline"));
                }
            }).join();
            engine.subscribe("room:x").join();
            Duration ttl = Duration.ofSeconds(10);
            engine.presenceJoin("room:x", new PresenceEntry("c1", "ann", null), ttl).join();
            engine.presenceJoin("room:x", new PresenceEntry("c2", "bob", null), ttl).join();

            clock.advance(Duration.ofSeconds(6));
            engine.presenceJoin("room:x", new PresenceEntry("c2", "bob", null), ttl).join(); // bob's node renews
            clock.advance(Duration.ofMillis(3_999));
            engine.sweep();
            assertThat(announced).containsExactly("ann online", "bob online");

            clock.advance(Duration.ofMillis(1)); // ann's 10 s are up; bob's renewal has 6 s left
            engine.sweep();
            engine.sweep();
            assertThat(announced).containsExactly("ann online", "bob online", "ann offline");
            assertThat(engine.presence("room:x").join()).extracting(PresenceEntry::userId).containsExactly("bob");
        }
    }
}
