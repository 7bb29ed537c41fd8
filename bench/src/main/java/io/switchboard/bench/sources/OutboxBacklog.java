package io.switchboard.bench.sources;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/** A backlog in an outbox table of a schema of the run's own, in the machine's PostgreSQL; dropped on close. */
final class OutboxBacklog implements Backlog {

    private final String url;
    private final String user;
    private final int partitions;
    private final int batchSize;
    private final String schema = "sb_bench_" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);

    OutboxBacklog(String url, String user, int partitions, int batchSize) {
        this.url = url;
        this.user = user;
        this.partitions = partitions;
        this.batchSize = batchSize;
    }

    private Connection connect() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", user);
        return DriverManager.getConnection(url, p);
    }

    @Override
    public void fill(int rows, int channels) throws Exception {
        try (Connection c = connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA " + schema);
            }
            io.switchboard.server.consumer.OutboxSchema.create(c, schema + ".switchboard_outbox");
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO " + schema + ".switchboard_outbox (channel, payload, partition) VALUES (?, ?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    int ch = i % channels;
                    insert.setString(1, "chat:src-" + ch);
                    insert.setString(2, Backlog.payload(i));
                    insert.setInt(3, ch % partitions);
                    insert.addBatch();
                    if ((i + 1) % 1000 == 0 || i == rows - 1) {
                        insert.executeBatch();
                        c.commit();
                    }
                }
            }
        }
    }

    @Override
    public String yaml() {
        return String.format(Locale.ROOT, "consumers:%n  outbox:%n    url: %s%n    user: %s%n    table: %s.switchboard_outbox%n"
                + "    partitions: %d%n    batch-size: %d%n    poll-interval: 1s%n", url, user, schema, partitions, batchSize);
    }

    @Override
    public void close() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
