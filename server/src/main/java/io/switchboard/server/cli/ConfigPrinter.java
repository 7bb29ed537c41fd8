package io.switchboard.server.cli;

import io.switchboard.server.Version;
import io.switchboard.server.cli.ConfigSources.Given;
import io.switchboard.server.cli.ServeOptions.Kind;
import io.switchboard.server.cli.ServeOptions.Opt;
import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.config.ServerConfig;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code serve --print-config}: the effective configuration as a YAML file that {@code --config} reads
 * back, with the source of each value in a comment. Unset options, and values that are printed masked
 * (secrets, URLs with a password), are commented out, so that reading the file back never sets a masked
 * value in place of the real one.
 */
final class ConfigPrinter {

    private ConfigPrinter() {
    }

    static void print(PrintStream out, ServerConfig cfg, Map<String, Given> given, ConfigSources sources, String logFormat) {
        out.println("# effective configuration (source after each value); --config reads this file back");
        for (Opt o : ServeOptions.all()) {
            Object value = o.name().equals("log-format") ? logFormat : o.get().apply(cfg);
            String text = o.format(value);
            String source = sources.describe(given.get(o.name()), o.name());
            if (text == null) {
                out.printf("# %s:    # %s: unset%n", o.name(), source);
            } else if (o.secret()) {
                out.printf("# %s: '********'    # %s (masked, so not read back)%n", o.name(), source);
            } else if (text.contains("-----BEGIN")) {
                out.printf("# %s: '(PEM text)'    # %s (not printed, so not read back)%n", o.name(), source);
            } else {
                boolean url = o.kind() == Kind.URL || o.kind() == Kind.URL_LIST;
                String shown = url ? Text.maskUrl(text) : text;
                boolean list = o.kind() == Kind.LIST || o.kind() == Kind.URL_LIST;
                boolean number = o.kind() == Kind.INT || o.kind() == Kind.LONG || o.kind() == Kind.BOOL;
                String yaml = number ? shown : list ? (o.kind() == Kind.URL_LIST ? ServeOptions.Opt.splitUrls(shown).stream() : Arrays.stream(shown.split(","))).map(Text::yamlScalar).collect(Collectors.joining(", ", "[", "]"))
                        : Text.yamlScalar(shown);
                if (shown.equals(text)) {
                    out.printf("%s: %s    # %s%n", o.name(), yaml, source);
                } else {
                    out.printf("# %s: %s    # %s (password masked, so not read back)%n", o.name(), yaml, source);
                }
            }
        }
        out.println("namespaces:    # YAML only");
        for (NamespaceConfig ns : cfg.configuredNamespaces().all()) {
            out.println(NamespacesYaml.describe(ns));
        }
        if (cfg.consumers().any()) {
            // The consumers' section may hold a database password: named here, copied by hand (docs/consumers.md).
            out.println("# consumers: (YAML only, not printed: copy the consumers section of the file)"
                    + (cfg.consumers().outbox() != null ? " outbox table " + cfg.consumers().outbox().table() : "")
                    + (cfg.consumers().kafka() != null ? " kafka topics " + cfg.consumers().kafka().topics() : ""));
        }
        if (cfg.jwtSecret() == null) {
            out.println("# jwt-secret is unset: a random secret is generated at start-up");
        }
        out.println("# switchboard " + Version.get());
    }
}
