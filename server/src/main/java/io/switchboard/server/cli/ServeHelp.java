package io.switchboard.server.cli;

import io.switchboard.server.cli.ServeOptions.Group;
import io.switchboard.server.cli.ServeOptions.Kind;
import io.switchboard.server.cli.ServeOptions.Opt;
import io.switchboard.server.config.ServerConfig;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The picocli model of {@code serve}, made from {@link ServeOptions}, and its help grouped by topic. */
final class ServeHelp {

    private ServeHelp() {
    }

    static CommandSpec spec(ServeCommand command) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
        spec.name("serve").mixinStandardHelpOptions(true);
        spec.usageMessage()
                .description("Run a Switchboard node (the default command).")
                .customSynopsis("switchboard serve [OPTION]...", "   or: switchboard [OPTION]...")
                .width(120)
                .longOptionsMaxWidth(40)
                .footer("", "Every option can also be given as an environment variable (--max-channels: SWITCHBOARD_MAX_CHANNELS)",
                        "or as a key of the YAML file named by --config (max-channels: 64); a flag wins over the",
                        "environment, which wins over the file. Durations are written 250ms, 10s, 5m or 1h.",
                        "See README.md and docs/ for every option's details.");
        ServerConfig defaults = new ServerConfig();
        for (Opt o : ServeOptions.all()) {
            OptionSpec.Builder b = OptionSpec.builder(o.flag()).description(describe(o, defaults));
            switch (o.kind()) {
                case BOOL -> b.arity("0").type(boolean.class).negatable(true);
                case LIST, SECRET_LIST, URL_LIST -> b.arity("1").type(List.class).auxiliaryTypes(String.class).paramLabel(o.label());
                default -> b.arity("1").type(String.class).paramLabel(o.label());
            }
            spec.addOption(b.build());
        }
        spec.addOption(OptionSpec.builder("--config").paramLabel("<file>").type(String.class)
                .description("YAML file of options; its keys are the option names without dashes (also: SWITCHBOARD_CONFIG).").build());
        spec.addOption(OptionSpec.builder("--print-config").arity("0").type(boolean.class)
                .description("Print the effective configuration, as YAML that --config reads back (secrets masked), and exit.").build());
        return spec;
    }

    private static String describe(Opt o, ServerConfig defaults) {
        String def = o.format(o.get().apply(defaults));
        if (def == null || o.help().contains("Unset:") || o.kind() == Kind.BOOL && def.equals("false")) {
            return o.help();
        }
        return o.help() + " Default: " + def + ".";
    }

    /** Replaces picocli's one list of options by one list per topic of {@link Group}. */
    static void groupOptions(CommandLine cl) {
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> {
            StringBuilder b = new StringBuilder();
            for (Group g : Group.values()) {
                Help.Layout layout = help.createDefaultLayout();
                for (Opt o : ServeOptions.all()) {
                    if (o.group() == g) {
                        add(layout, help, o.flag());
                    }
                }
                if (g == Group.CONFIG) {
                    for (String name : new String[] {"--config", "--print-config", "--help", "--version"}) {
                        add(layout, help, name);
                    }
                }
                b.append(String.format("%n%s:%n", g.heading)).append(layout);
            }
            return b.toString();
        });
    }

    private static void add(Help.Layout layout, Help help, String name) {
        layout.addOption(help.commandSpec().findOption(name), help.createDefaultParamLabelRenderer());
    }
}
