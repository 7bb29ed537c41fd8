package io.switchboard.server.cli;

import io.switchboard.server.config.InvalidConfigException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of {@code switchboard}: picks the subcommand ({@code serve} when none is named) and runs it.
 * A bad option or value ends it with exit code 2 and one line that says what is wrong and where it was
 * given, followed by a hint to {@code --help}; never with the whole usage text.
 */
public final class Main {

    private static final Set<String> ROOT_FLAGS = Set.of("-h", "--help", "-V", "--version");

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return run(System.getenv(), args);
    }

    /** Runs with an explicit environment (tests pass their own). */
    public static int run(Map<String, String> env, String... args) {
        if (args.length == 0 || (args[0].startsWith("-") && !ROOT_FLAGS.contains(args[0]))) {
            String[] withServe = new String[args.length + 1];
            withServe[0] = "serve";
            System.arraycopy(args, 0, withServe, 1, args.length);
            args = withServe;
        }
        boolean configCheck = args.length >= 2 && args[0].equals("config") && args[1].equals("check");
        ConfigSources sources;
        try {
            sources = configCheck ? ConfigCommand.Check.sources(args, env) : ConfigSources.load(args, env);
        } catch (ConfigSources.ConfigException e) {
            return fail(new PrintWriter(System.err, true), e.getMessage(), configCheck ? "config check" : args[0]);
        }
        CommandLine token = new CommandLine(new TokenCommand());
        token.setDefaultValueProvider(sources);
        CommandLine cli = new CommandLine(new SwitchboardCommand())
                .addSubcommand(ServeCommand.commandLine(sources))
                .addSubcommand(token)
                .addSubcommand(new CommandLine(new OutboxCommand()).addSubcommand(new CommandLine(new OutboxCommand.Init(sources))))
                .addSubcommand(new CommandLine(new ConfigCommand()).addSubcommand(new CommandLine(new ConfigCommand.Check(sources))))
                .addSubcommand(new VersionCommand())
                .addSubcommand(new CommandLine.HelpCommand());
        cli.setParameterExceptionHandler(Main::badArguments);
        cli.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof ConfigSources.ConfigException) {
                return fail(cmd.getErr(), ex.getMessage(), path(cmd));
            }
            if (ex instanceof InvalidConfigException || ex instanceof IllegalArgumentException
                    || ex instanceof IllegalStateException) {
                cmd.getErr().println("switchboard: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cli.execute(Arrays.copyOf(args, args.length));
    }

    /** A flag picocli could not read: one line, a suggestion for a mistyped option, and where help is. */
    private static int badArguments(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String message = ex.getMessage();
        if (ex instanceof UnmatchedArgumentException u) {
            String option = u.getUnmatched().stream().filter(a -> a.startsWith("-")).findFirst().orElse(null);
            if (option != null) {
                option = option.replaceFirst("=.*$", "");
                String near = Text.nearest(option, cmd.getCommandSpec().optionsMap().keySet().stream().filter(n -> n.startsWith("--")).toList());
                message = "unknown option " + option + (near != null ? "; did you mean " + near + "?" : "");
            }
        }
        message = Text.escape(message);
        return fail(cmd.getErr(), message, path(cmd));
    }

    /** The subcommand's words after {@code switchboard} ("serve", "config check"), or "switchboard" for the root. */
    private static String path(CommandLine cmd) {
        String q = cmd.getCommandSpec().qualifiedName(" ");
        return q.equals("switchboard") ? q : q.substring("switchboard ".length());
    }

    private static int fail(PrintWriter err, String message, String command) {
        err.println("switchboard: " + message);
        String which = command.equals("switchboard") ? "" : command + " ";
        err.println("Run 'switchboard " + which + "--help' for the options.");
        err.flush();
        return 2;
    }
}
