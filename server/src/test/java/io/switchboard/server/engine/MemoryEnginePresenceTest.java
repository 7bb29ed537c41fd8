package io.switchboard.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.server.engine.memory.MemoryEngine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Presence entries that their node stops refreshing expire by themselves and are announced offline. */
class MemoryEnginePresenceTest {

    @Test
    void unrefreshedEntriesExpireAndGoOffline() {
        List<PresenceUpdate> updates = new CopyOnWriteArrayList<>();
        try (MemoryEngine engine = new MemoryEngine(Duration.ofMillis(20))) {
            engine.start(new PublicationSink() {
                @Override
                public void onPublication(Publication publication) {
                }

                @Override
                public void onPresenceUpdate(PresenceUpdate update) {
                    updates.add(update);
                }
            });
            engine.subscribe("c");
            engine.presenceJoin("c", new PresenceEntry("s1", "ann", null), Duration.ofMillis(150)).join();
            engine.presenceJoin("c", new PresenceEntry("s2", "bo", null), Duration.ofSeconds(60)).join();
            assertThat(engine.presence("c").join()).hasSize(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.presence("c").join().size() == 1);
            assertThat(engine.presence("c").join()).extracting(PresenceEntry::userId).containsExactly("bo");
            assertThat(updates).extracting(u -> u.userId() + ":" + u.online()).containsExactly("ann:true", "bo:true", "ann:false");
        }
    }

    @Test
    void refreshingKeepsAnEntryAlive() throws Exception {
        try (MemoryEngine engine = new MemoryEngine(Duration.ofMillis(20))) {
            engine.start(p -> { });
            for (int i = 0; i < 10; i++) {
                engine.presenceJoin("c", new PresenceEntry("s1", "ann", null), Duration.ofMillis(200)).join();
                Thread.sleep(60);
            }
            assertThat(engine.presence("c").join()).hasSize(1);
        }
    }
}
