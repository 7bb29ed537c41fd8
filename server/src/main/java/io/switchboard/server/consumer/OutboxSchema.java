package io.switchboard.server.consumer;

import io.switchboard.server.config.OutboxConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The outbox's tables, as {@code switchboard outbox init} creates them and docs/consumers.md shows them:
 * the outbox (rows the backend inserts in its own transactions), its dead-letter table, and a statement
 * trigger that notifies the nodes when a transaction that inserted rows commits. Every statement can run
 * again without harm.
 */
public final class OutboxSchema {

    private OutboxSchema() {
    }

    /** The statements for {@code table} (a name {@link OutboxConfig#TABLE} accepts), in order. */
    public static List<String> statements(String table) {
        if (!OutboxConfig.TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("not an outbox table name: " + table);
        }
        String bare = table.substring(table.indexOf('.') + 1);
        String dead = table + "_dead";
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                        + "  id              bigserial PRIMARY KEY,\n"
                        + "  channel         text NOT NULL,\n"
                        + "  payload         text NOT NULL,\n"
                        + "  idempotency_key text,\n"
                        + "  partition       integer NOT NULL DEFAULT 0,\n"
                        + "  created_at      timestamptz NOT NULL DEFAULT now()\n"
                        + ")",
                "CREATE INDEX IF NOT EXISTS " + bare + "_partition_id ON " + table + " (partition, id)",
                "CREATE TABLE IF NOT EXISTS " + dead + " (\n"
                        + "  id              bigint PRIMARY KEY,\n"
                        + "  channel         text,\n"
                        + "  payload         text,\n"
                        + "  idempotency_key text,\n"
                        + "  partition       integer,\n"
                        + "  created_at      timestamptz,\n"
                        + "  moved_at        timestamptz NOT NULL DEFAULT now(),\n"
                        + "  reason          text NOT NULL\n"
                        + ")",
                "CREATE OR REPLACE FUNCTION " + table + "_notify() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                        + "BEGIN\n"
                        + "  PERFORM pg_notify('" + table + "', '');\n"
                        + "  RETURN NULL;\n"
                        + "END $$",
                "DROP TRIGGER IF EXISTS " + bare + "_notify ON " + table,
                "CREATE TRIGGER " + bare + "_notify AFTER INSERT ON " + table
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + table + "_notify()");
    }

    /** The whole script, each statement ended with {@code ;}, as {@code outbox init --print} shows it. */
    public static String script(String table) {
        StringBuilder b = new StringBuilder();
        for (String s : statements(table)) {
            b.append(s).append(";\n\n");
        }
        return b.toString();
    }

    /** Creates what is missing, in one transaction. */
    public static void create(Connection c, String table) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (String s : statements(table)) {
                st.execute(s);
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
