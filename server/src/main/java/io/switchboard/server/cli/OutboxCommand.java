package io.switchboard.server.cli;

import io.switchboard.server.config.InvalidConfigException;
import io.switchboard.server.config.OutboxConfig;
import io.switchboard.server.consumer.OutboxSchema;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard outbox init}: creates the outbox table, its dead-letter table and the notify trigger
 * (docs/consumers.md), or prints the SQL with {@code --print}. The database is the one given by the flags,
 * else by {@code consumers.outbox} of the {@code --config} file.
 */
@Command(name = "outbox", description = "The PostgreSQL outbox the node publishes from (docs/consumers.md).",
        mixinStandardHelpOptions = true)
final class OutboxCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create the outbox table, its dead-letter table (<table>_dead) and the trigger that wakes the nodes. "
                    + "Safe to run again.")
    static final class Init implements Callable<Integer> {

        private final ConfigSources sources;

        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML file whose consumers.outbox names the database and table.")
        String config;

        @Option(names = "--url", paramLabel = "URL", description = "JDBC URL, e.g. jdbc:postgresql://127.0.0.1:5432/app.")
        String url;

        @Option(names = "--user", paramLabel = "USER", description = "Database user.")
        String user;

        @Option(names = "--password", paramLabel = "PASSWORD", description = "Database password (or SWITCHBOARD_OUTBOX_PASSWORD).")
        String password;

        @Option(names = "--table", paramLabel = "NAME", description = "Outbox table, optionally schema-qualified (default: switchboard_outbox).")
        String table;

        @Option(names = "--print", description = "Print the SQL instead of running it.")
        boolean print;

        Init(ConfigSources sources) {
            this.sources = sources;
        }

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            PrintWriter out = spec.commandLine().getOut();
            OutboxConfig fromFile = sources.consumers().outbox();
            String t = table != null ? table : fromFile != null ? fromFile.table() : OutboxConfig.DEFAULT_TABLE;
            if (!OutboxConfig.TABLE.matcher(t).matches()) {
                err.println("switchboard outbox init: --table must be a lower-case SQL name such as switchboard_outbox or app.switchboard_outbox");
                return 2;
            }
            if (print) {
                out.print(OutboxSchema.script(t));
                out.flush();
                return 0;
            }
            String u = url != null ? url : fromFile != null ? fromFile.url() : null;
            if (u == null) {
                err.println("switchboard outbox init: --url (or consumers.outbox.url in --config) is required, e.g. "
                        + "--url jdbc:postgresql://127.0.0.1:5432/app; --print shows the SQL without a database");
                return 2;
            }
            try {
                new OutboxConfig(u, null, null, t, 1, 1, java.time.Duration.ofSeconds(1));
            } catch (InvalidConfigException e) {
                err.println("switchboard outbox init: --url " + e.reason());
                return 2;
            }
            Properties props = new Properties();
            String who = user != null ? user : fromFile != null ? fromFile.user() : null;
            String pw = password != null ? password : System.getenv("SWITCHBOARD_OUTBOX_PASSWORD");
            if (pw == null && fromFile != null) {
                pw = fromFile.password();
            }
            if (who != null) {
                props.setProperty("user", who);
            }
            if (pw != null) {
                props.setProperty("password", pw);
            }
            props.setProperty("connectTimeout", "10");
            try (Connection c = DriverManager.getConnection(u, props)) {
                OutboxSchema.create(c, t);
            } catch (SQLException e) {
                err.println("switchboard outbox init: " + Text.escape(String.valueOf(e.getMessage())));
                return 1;
            }
            out.println("outbox ready: table " + t + ", dead letters in " + t + "_dead, trigger " + t.substring(t.indexOf('.') + 1) + "_notify");
            out.flush();
            return 0;
        }
    }
}
