package io.switchboard.server.cli;

import io.switchboard.server.auth.JwtAuthenticator;
import io.switchboard.server.cli.ConfigSources.ConfigException;
import io.switchboard.server.cli.ConfigSources.Given;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.transport.TlsContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code switchboard config}: commands about the configuration file ({@code check}). */
@Command(name = "config", description = "Commands about the configuration file.", mixinStandardHelpOptions = true)
final class ConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /**
     * {@code switchboard config check [FILE]}: reads FILE (else the file of SWITCHBOARD_CONFIG) and the
     * {@code SWITCHBOARD_*} environment exactly as {@code serve} would, checks every value and combination,
     * and loads the TLS certificate and key and the JWT public key files they name, without opening a
     * port or connecting to Redis, NATS, a JWKS URL or a database. Exit 0 with one line that sums the
     * configuration up; exit 2 with the one line {@code serve} would have failed with.
     */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check a YAML configuration file, and the SWITCHBOARD_* environment, as serve would read them, "
                    + "without starting a node. Exit 0 with a one-line summary, or 2 with the error serve would give.")
    static final class Check implements Callable<Integer> {

        private final ConfigSources sources;

        @Spec
        CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "FILE", description = "The YAML file (default: SWITCHBOARD_CONFIG; "
                + "with neither, the environment alone is checked).")
        Path file;

        Check(ConfigSources sources) {
            this.sources = sources;
        }

        /** The sources of {@code config check [FILE]}: FILE is the first word after {@code check} that is not an option. */
        static ConfigSources sources(String[] args, Map<String, String> env) {
            for (int i = 2; i < args.length; i++) {
                if (!args[i].startsWith("-")) {
                    return ConfigSources.load(Path.of(args[i]), env);
                }
            }
            String fromEnv = env.get("SWITCHBOARD_CONFIG");
            return ConfigSources.load(fromEnv == null ? null : Path.of(fromEnv), env);
        }

        @Override
        public Integer call() {
            ServeCommand.Configured c = ServeCommand.configure(sources, null);
            ServerConfig cfg = c.config();
            loadFiles(cfg, c.given());
            int[] counts = sources.counts(ServeOptions.names());
            String what = sources.file() == null ? "environment" : sources.file().toString();
            spec.commandLine().getOut().println("switchboard: " + what + " OK: " + counts[0] + " options from the file, "
                    + counts[1] + " from the environment; " + summary(cfg));
            spec.commandLine().getOut().flush();
            return 0;
        }

        /** The files serve would load before it listens: TLS certificate and key, JWT public keys. */
        private void loadFiles(ServerConfig cfg, Map<String, Given> given) {
            for (String k : cfg.jwt().publicKeys()) {
                try {
                    JwtAuthenticator.builder().publicKeys(k);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(sources.where(given.get("jwt-public-key"), "jwt-public-key", null) + ": " + e.getMessage());
                }
            }
            if (cfg.tls().enabled()) {
                try {
                    new TlsContext(cfg.tls().cert(), cfg.tls().key());
                } catch (javax.net.ssl.SSLException | RuntimeException e) {
                    throw new ConfigException(sources.where(given.get("tls-cert"), "tls-cert", Text.escape(cfg.tls().cert().toString()))
                            + ": cannot load the TLS certificate or key: " + Text.escape(String.valueOf(e.getMessage())));
                }
            }
        }

        private static String summary(ServerConfig cfg) {
            String engine = cfg.cluster().engine() + (cfg.cluster().redisUrls().isEmpty() ? ""
                    : " (" + cfg.cluster().redisUrls().size() + " Redis URL" + (cfg.cluster().redisUrls().size() == 1 ? "" : "s") + ")");
            return "listens on " + cfg.bind() + ":" + cfg.port() + (cfg.tls().enabled() ? " with TLS" : "")
                    + ", engine " + engine
                    + ", " + cfg.configuredNamespaces().all().size() + " namespaces"
                    + (cfg.pusherApps().isEmpty() ? "" : ", " + cfg.pusherApps().size() + " Pusher apps")
                    + (cfg.jwtSecret() == null && cfg.jwt().publicKeys().isEmpty() && cfg.jwt().jwksUrl() == null
                            ? ", no JWT key (a random secret per run)" : "");
        }
    }
}
