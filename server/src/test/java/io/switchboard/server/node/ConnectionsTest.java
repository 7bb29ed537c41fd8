package io.switchboard.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.protocol.CloseCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The node's open connections: added and removed from any thread, walked without a lock, each once. */
class ConnectionsTest {

    /** A connection that keeps the slot the node gives it, as sessions do; {@code keeps} false: as a door that keeps none. */
    private static final class Conn implements Connection {
        final String id;
        final String user;
        final boolean keeps;
        int slot = -1;
        CloseCode closedWith;

        Conn(String id, String user, boolean keeps) {
            this.id = id;
            this.user = user;
            this.keeps = keeps;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String userId() {
            return user;
        }

        @Override
        public void close(CloseCode code) {
            closedWith = code;
        }

        @Override
        public void abort() {
        }

        @Override
        public void unsubscribeByServer(String channel) {
        }

        @Override
        public void renewPresence() {
        }

        @Override
        public int connectionSlot() {
            return keeps ? slot : io.switchboard.server.util.SlotArray.UNKNOWN;
        }

        @Override
        public void connectionSlot(int slot) {
            this.slot = slot;
        }
    }

    private static List<Connection> walk(Connections c) {
        List<Connection> seen = new ArrayList<>();
        c.forEach(seen::add);
        return seen;
    }

    @Test
    void connectionsComeAndGoFromManyThreadsAndEachThatStaysIsWalkedOnce() throws Exception {
        Connections open = new Connections();
        int threads = 4;
        int each = 2_000;
        List<List<Conn>> staying = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Conn>>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    Random random = new Random(thread);
                    List<Conn> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        Conn c = new Conn(thread + "-" + i, "u" + (i % 10), i % 5 != 0);
                        open.add(c);
                        mine.add(c);
                    }
                    Collections.shuffle(mine, random);
                    List<Conn> gone = mine.subList(0, each / 2);
                    for (Conn c : gone) {
                        open.remove(c);
                        open.remove(c); // a second remove finds nothing
                    }
                    return new ArrayList<>(mine.subList(each / 2, each));
                }));
            }
            go.countDown();
            for (Future<List<Conn>> f : done) {
                staying.add(f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        List<Connection> expected = new ArrayList<>();
        staying.forEach(expected::addAll);
        assertThat(open.size()).isEqualTo(expected.size());
        assertThat(walk(open)).hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(expected);

        long u3 = expected.stream().filter(c -> c.userId().equals("u3")).count();
        assertThat(open.disconnectUser("u3", CloseCode.DISCONNECTED)).isEqualTo((int) u3);
        for (Connection c : expected) {
            assertThat(((Conn) c).closedWith).isEqualTo(c.userId().equals("u3") ? CloseCode.DISCONNECTED : null);
        }

        for (Connection c : expected) {
            open.remove(c);
        }
        assertThat(open.isEmpty()).isTrue();
        assertThat(walk(open)).isEmpty();
    }
}
