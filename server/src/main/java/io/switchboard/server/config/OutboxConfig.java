package io.switchboard.server.config;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The PostgreSQL outbox consumer (docs/consumers.md). Checked when built: a value that cannot work throws
 * {@link InvalidConfigException} naming the YAML key under {@code consumers.outbox}.
 *
 * @param url          a JDBC URL, {@code jdbc:postgresql://host:port/database}
 * @param user         the database user, or null for the URL's or the driver's default
 * @param password     the password, or null
 * @param table        the outbox table, optionally schema-qualified; the dead-letter table is {@code <table>_dead}
 * @param partitions   how many partitions the rows are spread over (0 to partitions-1); each is read by one
 *                     node at a time, which holds its advisory lock
 * @param batchSize    rows read and published per transaction
 * @param pollInterval longest wait between two reads when no notification comes
 */
public record OutboxConfig(String url, String user, String password, String table, int partitions, int batchSize,
                           Duration pollInterval) {

    /** A lower-case SQL identifier, optionally qualified by a schema: it is written into SQL, never quoted. */
    public static final Pattern TABLE = Pattern.compile("([a-z_][a-z0-9_]{0,40}\\.)?[a-z_][a-z0-9_]{0,40}");

    public static final String DEFAULT_TABLE = "switchboard_outbox";

    public OutboxConfig {
        if (url == null || url.isBlank()) {
            throw new InvalidConfigException("consumers.outbox.url", "is required (e.g. jdbc:postgresql://127.0.0.1:5432/app)");
        }
        url = url.trim();
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new InvalidConfigException("consumers.outbox.url", "must start with jdbc:postgresql://");
        }
        user = user == null || user.isBlank() ? null : user;
        password = password == null || password.isEmpty() ? null : password;
        table = table == null || table.isBlank() ? DEFAULT_TABLE : table.trim();
        if (!TABLE.matcher(table).matches()) {
            throw new InvalidConfigException("consumers.outbox.table", "must be a lower-case SQL name such as switchboard_outbox "
                    + "or app.switchboard_outbox (letters, digits and _, at most 41 characters each part)");
        }
        if (partitions < 1 || partitions > 1024) {
            throw new InvalidConfigException("consumers.outbox.partitions", "must be 1 to 1024");
        }
        if (batchSize < 1 || batchSize > 10_000) {
            throw new InvalidConfigException("consumers.outbox.batch-size", "must be 1 to 10000");
        }
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new InvalidConfigException("consumers.outbox.poll-interval", "must be longer than 0");
        }
    }

    /** The defaults for everything but the URL. */
    public static OutboxConfig of(String url) {
        return new OutboxConfig(url, null, null, DEFAULT_TABLE, 1, 100, Duration.ofSeconds(1));
    }

    public OutboxConfig withTable(String table) {
        return new OutboxConfig(url, user, password, table, partitions, batchSize, pollInterval);
    }

    public OutboxConfig withUser(String user, String password) {
        return new OutboxConfig(url, user, password, table, partitions, batchSize, pollInterval);
    }

    public OutboxConfig withPartitions(int partitions) {
        return new OutboxConfig(url, user, password, table, partitions, batchSize, pollInterval);
    }

    public OutboxConfig withBatch(int batchSize, Duration pollInterval) {
        return new OutboxConfig(url, user, password, table, partitions, batchSize, pollInterval);
    }

    /** The table that holds the rows the node could not publish. */
    public String deadTable() {
        return table + "_dead";
    }

    @Override
    public String toString() {
        return "OutboxConfig[url=" + url + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                + ", table=" + table + ", partitions=" + partitions + ", batchSize=" + batchSize + ", pollInterval=" + pollInterval + "]";
    }
}
