package io.switchboard.server.consumer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.server.config.OutboxConfig;
import io.switchboard.server.node.ChannelService;
import io.switchboard.server.util.LogText;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the PostgreSQL outbox and publishes its rows (docs/consumers.md). One thread holds one connection:
 * on it, it takes the session advisory lock of each partition it can get (so each partition is read by one
 * node at a time, in id order), listens for the trigger's notifications, and per partition reads a batch,
 * publishes it through the channel service with each row's idempotency key, and in the same transaction
 * deletes the published rows and moves the rows that cannot be published to the dead-letter table. A row
 * is deleted only after the engine acknowledged it; a node that dies before the delete leaves the row to
 * the next reader, whose publish the idempotency key turns into a no-op.
 */
final class OutboxConsumer implements SourceConsumer {

    private static final Logger log = LoggerFactory.getLogger(OutboxConsumer.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(30);
    private static final long LAG_EVERY_NANOS = 2_000_000_000L;

    private final OutboxConfig config;
    private final OrderedPublisher publisher;
    private final ConsumerMetrics metrics;
    private final int lockSpace;
    private final HikariDataSource pool;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean reachable;
    private volatile String problem = "not connected yet";
    private volatile Connection current; // the driver's connection the thread works on, aborted by close()
    private long lastLag;

    OutboxConsumer(OutboxConfig config, ChannelService channels, MeterRegistry registry) {
        this.config = config;
        this.publisher = new OrderedPublisher(channels, PUBLISH_TIMEOUT);
        this.metrics = new ConsumerMetrics(registry, name(), this);
        this.lockSpace = ("switchboard:" + config.table()).hashCode();
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(config.url());
        if (config.user() != null) {
            hc.setUsername(config.user());
        }
        if (config.password() != null) {
            hc.setPassword(config.password());
        }
        hc.setPoolName("switchboard-outbox");
        hc.setMaximumPoolSize(2);
        hc.setMinimumIdle(0);
        hc.setConnectionTimeout(5000);
        hc.setInitializationFailTimeout(-1); // start without the database; /readyz reports it until it is there
        hc.addDataSourceProperty("ApplicationName", "switchboard");
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        this.pool = new HikariDataSource(hc);
        this.thread = new Thread(this::run, "switchboard-outbox");
        thread.setDaemon(true);
    }

    @Override
    public String name() {
        return "outbox";
    }

    @Override
    public void start() {
        thread.start();
    }

    @Override
    public boolean reachable() {
        return reachable;
    }

    @Override
    public String problem() {
        return reachable ? null : problem;
    }

    @Override
    public ConsumerMetrics metrics() {
        return metrics;
    }

    private void run() {
        long backoff = 100;
        while (running) {
            try (Connection c = pool.getConnection()) {
                try {
                    serve(c);
                } finally {
                    // The session holds the partitions' advisory locks and the LISTEN: never hand it back to the pool.
                    pool.evictConnection(c);
                }
                backoff = 100;
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    break;
                }
                metrics.error();
                String why = LogText.escape(String.valueOf(e.getMessage()));
                if (reachable || !why.equals(problem)) {
                    log.warn("outbox {}: {}; retrying", config.table(), why);
                }
                reachable = false;
                problem = why;
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5000);
            } catch (InterruptedException e) {
                break;
            }
        }
        reachable = false;
    }

    /** Works on one connection until it fails or the consumer closes. */
    private void serve(Connection c) throws SQLException, InterruptedException {
        PGConnection pg = c.unwrap(PGConnection.class);
        current = c.unwrap(org.postgresql.jdbc.PgConnection.class);
        if (!running) {
            return;
        }
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("LISTEN \"" + config.table() + "\"");
        }
        reachable = true;
        problem = null;
        log.info("outbox {}: reading ({} partition{})", config.table(), config.partitions(), config.partitions() == 1 ? "" : "s");
        TreeSet<Integer> owned = new TreeSet<>();
        long lockTried = 0;
        int pollMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.pollInterval().toMillis()));
        while (running) {
            if (owned.size() < config.partitions() && System.nanoTime() - lockTried > config.pollInterval().toNanos()) {
                lock(c, owned);
                lockTried = System.nanoTime();
            }
            boolean more = false;
            boolean retry = false;
            for (int p : owned) {
                Drained d = drain(c, p);
                more |= d.full;
                retry |= d.retry;
            }
            lag(c, owned);
            if (retry) {
                sleep(200); // the engine failed: give it a moment, the rows stay where they are
            } else if (!more) {
                pg.getNotifications(pollMillis); // a commit that inserted rows wakes us; else the poll interval does
            }
        }
    }

    private void lock(Connection c, TreeSet<Integer> owned) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            for (int p = 0; p < config.partitions(); p++) {
                if (owned.contains(p)) {
                    continue;
                }
                st.setInt(1, lockSpace);
                st.setInt(2, p);
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        owned.add(p);
                        log.info("outbox {}: this node now reads partition {}", config.table(), p);
                    }
                }
            }
        }
    }

    private record Drained(boolean full, boolean retry) {
    }

    /** One batch of one partition in one transaction; the holder of partition 0 also clears rows of no partition. */
    private Drained drain(Connection c, int partition) throws SQLException, InterruptedException {
        c.setAutoCommit(false);
        try {
            List<OutboxRow> rows = read(c, "partition = " + partition);
            if (partition == 0) {
                rows.addAll(read(c, "(partition < 0 OR partition >= " + config.partitions() + ")"));
            }
            if (rows.isEmpty()) {
                c.commit();
                return new Drained(false, false);
            }
            List<OrderedPublisher.Item> items = new ArrayList<>();
            List<OutboxRow> published = new ArrayList<>();
            List<Long> done = new ArrayList<>();
            for (OutboxRow row : rows) {
                OutboxRow.Decoded d = row.decode(config.table(), config.partitions());
                if (d.item() == null) {
                    moveAside(c, row, d.code(), d.reason());
                    done.add(row.id());
                } else {
                    items.add(d.item());
                    published.add(row);
                }
            }
            List<OrderedPublisher.Outcome> outcomes = publisher.publish(items);
            boolean retry = false;
            int ok = 0;
            for (int i = 0; i < outcomes.size(); i++) {
                OrderedPublisher.Outcome o = outcomes.get(i);
                OutboxRow row = published.get(i);
                switch (o.kind()) {
                    case PUBLISHED -> {
                        done.add(row.id());
                        ok++;
                    }
                    case DEAD -> {
                        moveAside(c, row, o.code(), o.reason());
                        done.add(row.id());
                    }
                    case RETRY -> retry = true;
                }
            }
            if (retry) {
                metrics.error();
            }
            delete(c, done);
            c.commit();
            metrics.published(ok);
            return new Drained(rows.size() >= config.batchSize(), retry);
        } catch (SQLException | RuntimeException | InterruptedException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is gone; the caller drops it
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // as above
            }
        }
    }

    private List<OutboxRow> read(Connection c, String where) throws SQLException {
        List<OutboxRow> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT id, channel, payload::text, idempotency_key, partition FROM "
                + config.table() + " WHERE " + where + " ORDER BY id LIMIT ?")) {
            st.setInt(1, config.batchSize());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(new OutboxRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5)));
                }
            }
        }
        return rows;
    }

    private void moveAside(Connection c, OutboxRow row, String code, String reason) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO " + config.deadTable()
                + " (id, channel, payload, idempotency_key, partition, created_at, reason)"
                + " SELECT id, channel, payload::text, idempotency_key, partition, created_at, ? FROM " + config.table()
                + " WHERE id = ? ON CONFLICT (id) DO NOTHING")) {
            st.setString(1, code + ": " + reason);
            st.setLong(2, row.id());
            st.executeUpdate();
        }
        metrics.deadLetter(code);
        log.warn("outbox {}: row {} (channel '{}') moved to {}: {}: {}", config.table(), row.id(), LogText.escape(row.channel()),
                config.deadTable(), code, LogText.escape(reason));
    }

    private void delete(Connection c, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        Array array = c.createArrayOf("bigint", ids.toArray());
        try (PreparedStatement st = c.prepareStatement("DELETE FROM " + config.table() + " WHERE id = ANY(?)")) {
            st.setArray(1, array);
            st.executeUpdate();
        } finally {
            array.free();
        }
    }

    /** Rows waiting in this node's partitions, counted at most every 2 s and up to 1,000,000. */
    private void lag(Connection c, TreeSet<Integer> owned) throws SQLException {
        if (System.nanoTime() - lastLag < LAG_EVERY_NANOS) {
            return;
        }
        lastLag = System.nanoTime();
        if (owned.isEmpty()) {
            metrics.lag(0);
            return;
        }
        Array array = c.createArrayOf("integer", owned.toArray());
        try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM (SELECT 1 FROM " + config.table()
                + " WHERE partition = ANY(?) LIMIT 1000000) AS waiting")) {
            st.setArray(1, array);
            try (ResultSet rs = st.executeQuery()) {
                metrics.lag(rs.next() ? rs.getLong(1) : 0);
            }
        } finally {
            array.free();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops at once: the pool is closed under the thread, whose open transaction (if any) is rolled back by
     * the server. Rows of an unfinished batch stay in the outbox for the next reader.
     */
    @Override
    public void close() {
        running = false;
        Connection c = current;
        if (c != null) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                log.debug("aborting the outbox connection: {}", e.toString());
            }
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
    }
}
