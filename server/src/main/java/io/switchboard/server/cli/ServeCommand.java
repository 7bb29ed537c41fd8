package io.switchboard.server.cli;

import io.switchboard.server.cli.ConfigSources.ConfigException;
import io.switchboard.server.cli.ConfigSources.Given;
import io.switchboard.server.cli.ConfigSources.Source;
import io.switchboard.server.cli.ServeOptions.Kind;
import io.switchboard.server.cli.ServeOptions.Opt;
import io.switchboard.server.config.ClusterConfig;
import io.switchboard.server.config.InvalidConfigException;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.transport.PortCheck;
import io.switchboard.server.transport.SwitchboardServer;
import io.switchboard.server.transport.WarmUp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code switchboard serve}: reads each option of {@link ServeOptions} from a flag, the environment or the
 * YAML file, builds the {@link ServerConfig} and runs the node (or prints the configuration). A value that
 * cannot be used stops it with one line that names where the value was given.
 */
final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    private final ConfigSources sources;
    private CommandSpec spec;

    private ServeCommand(ConfigSources sources) {
        this.sources = sources;
    }

    /** The {@code serve} subcommand, its options made from {@link ServeOptions}. */
    static CommandLine commandLine(ConfigSources sources) {
        ServeCommand command = new ServeCommand(sources);
        command.spec = ServeHelp.spec(command);
        CommandLine cl = new CommandLine(command.spec);
        ServeHelp.groupOptions(cl);
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        ParseResult parsed = spec.commandLine().getParseResult();
        Configured c = configure(sources, parsed);
        ServerConfig cfg = c.config();
        String logFormat = (String) c.values().getOrDefault("log-format", LogFormat.DEFAULT);
        if (parsed.hasMatchedOption("--print-config")) {
            ConfigPrinter.print(System.out, cfg, c.given(), sources, logFormat);
            return 0;
        }
        if (logFormat.equals("json")) {
            LogFormat.useJson();
        }
        if (cfg.warmUpSessions() > 0) {
            PortCheck.free(cfg); // the warm-up takes seconds: a port that is taken is reported before it, not after
            WarmUp.runLogged(cfg, ServerConfig.WARM_UP_BUDGET);
        }
        SwitchboardServer server = new SwitchboardServer(cfg).start();
        System.out.println(Banner.text(server));
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable drainAndExit = () -> {
            log.info("shutdown requested: draining");
            server.shutdown();
            stopped.countDown();
        };
        Signals.onTermination(drainAndExit);
        if (server.tls() != null) {
            Signals.onHangup(server.tls()::reload);
        }
        stopped.await();
        log.info("stopped");
        return 0;
    }

    /** A configuration read from every source: the config, each option's given text, and its value as read. */
    record Configured(ServerConfig config, Map<String, Given> given, Map<String, Object> values) {
    }

    /**
     * Reads and checks the configuration the way {@code serve} does before it starts anything: unknown file
     * keys, each value, then the combinations. {@code parsed} holds the flags (null: none, as for
     * {@code config check}). Throws {@link ConfigException} with the one line to print.
     */
    static Configured configure(ConfigSources sources, ParseResult parsed) {
        sources.checkFileKeys(new ArrayList<>(ServeOptions.names()));
        Map<String, Given> given = resolve(sources, parsed);
        Map<String, Object> values = new HashMap<>();
        ServerConfig cfg = build(sources, given, values);
        return new Configured(cfg, given, values);
    }

    /** Each option's text: the flag's, else the environment's, else the file's; absent: the default. */
    private static Map<String, Given> resolve(ConfigSources sources, ParseResult parsed) {
        Map<String, Given> given = new HashMap<>();
        for (Opt o : ServeOptions.all()) {
            OptionSpec matched = parsed == null ? null : parsed.matchedOption(o.flag());
            if (matched != null) {
                String text = o.kind() == Kind.BOOL ? String.valueOf((Object) matched.getValue())
                        : String.join(",", matched.stringValues());
                given.put(o.name(), new Given(text, Source.FLAG, 0));
            } else {
                Given g = sources.lookup(o.name());
                if (g != null) {
                    given.put(o.name(), g);
                }
            }
        }
        return given;
    }

    /** The defaults with every given value read, checked and applied; {@code values} receives what was read. */
    private static ServerConfig build(ConfigSources sources, Map<String, Given> given, Map<String, Object> values) {
        ServerConfig cfg = new ServerConfig();
        for (Opt o : ServeOptions.all()) {
            Given g = given.get(o.name());
            if (g == null) {
                continue;
            }
            Object value = checked(sources, given, () -> o.parse(g.text()));
            values.put(o.name(), value);
            if (o.set() != null) {
                ServerConfig before = cfg;
                cfg = checked(sources, given, () -> o.set().apply(before, value));
            }
        }
        ServerConfig partial = cfg;
        ServerConfig defaults = new ServerConfig();
        @SuppressWarnings("unchecked")
        ClusterConfig cluster = checked(sources, given, () -> new ClusterConfig(
                (String) values.getOrDefault("engine", defaults.cluster().engine()), (List<String>) values.get("redis-url"),
                (String) values.get("broker"), (String) values.get("nats-url")));
        ServerConfig withTls = checked(sources, given, () -> partial.cluster(cluster)
                .tls(partial.tls().withFiles((Path) values.get("tls-cert"), (Path) values.get("tls-key"))));
        ServerConfig withNamespaces = withTls.namespaces(sources.namespaces()).consumers(sources.consumers())
                .webhooks(sources.webhooks())
                .hooks(sources.hooks());
        List<io.switchboard.server.config.PusherApp> apps = new ArrayList<>(withNamespaces.pusherApps());
        apps.addAll(sources.pusherApps());
        ServerConfig complete = checked(sources, given, () -> withNamespaces.pusherApps(apps));
        return checked(sources, given, complete::checkCombinations);
    }

    /** Runs a step of reading the configuration, turning its complaint into one line naming the source. */
    private static <T> T checked(ConfigSources sources, Map<String, Given> given, Supplier<T> step) {
        try {
            return step.get();
        } catch (InvalidConfigException e) {
            Opt o = ServeOptions.get(e.key());
            Given g = given.get(e.key());
            String shown = null;
            if (o != null && g != null && !o.secret()) {
                boolean url = o.kind() == Kind.URL || o.kind() == Kind.URL_LIST;
                shown = Text.escape(url ? Text.maskUrl(g.text()) : g.text());
            }
            throw new ConfigException(sources.where(g, e.key(), shown) + " " + e.reason());
        }
    }
}
