package io.switchboard.server.consumer;

import io.switchboard.server.config.OutboxConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A schema of the test's own in the machine's PostgreSQL (127.0.0.1:5432, database {@code test}), with the
 * outbox created in it by {@link OutboxSchema}, dropped with everything in it on close. When PostgreSQL
 * does not answer, the test fails and says how to start it.
 */
final class TestDatabase implements AutoCloseable {

    static final String URL = System.getProperty("switchboard.test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = System.getProperty("switchboard.test.pg.user", "postgres");

    final String schema = "sb_test_" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    final String table = schema + ".switchboard_outbox";

    TestDatabase() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            OutboxSchema.create(c, table);
        }
    }

    static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("connectTimeout", "5");
        try {
            return DriverManager.getConnection(URL, p);
        } catch (SQLException e) {
            throw new AssertionError("PostgreSQL does not answer at " + URL + " as user " + USER + " (" + e.getMessage() + "). "
                    + "These tests need it: ./test starts it when it is installed (pg_ctlcluster --skip-systemctl-redirect "
                    + "$(ls /etc/postgresql) main start), or install it with apt-get install -y postgresql; "
                    + "-Dswitchboard.test.pg.url and -Dswitchboard.test.pg.user point the tests elsewhere", e);
        }
    }

    OutboxConfig outbox() {
        return OutboxConfig.of(URL).withTable(table).withUser(USER, null).withBatch(50, Duration.ofMillis(500));
    }

    long count(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema.toLowerCase(Locale.ROOT) + " CASCADE");
        }
    }
}
