package io.switchboard.server.cli;

import java.util.Arrays;
import java.util.Set;
import picocli.CommandLine;

/** Entry point of {@code switchboard}: picks the subcommand ({@code serve} when none is named) and runs it. */
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
    public static int run(java.util.Map<String, String> env, String... args) {
        ConfigSources sources;
        try {
            sources = ConfigSources.load(args, env);
        } catch (ConfigSources.ConfigException e) {
            System.err.println("switchboard: " + e.getMessage());
            return 2;
        }
        CommandLine cli = new CommandLine(new SwitchboardCommand())
                .addSubcommand(new ServeCommand(sources))
                .addSubcommand(new TokenCommand())
                .addSubcommand(new VersionCommand());
        cli.setDefaultValueProvider(sources);
        cli.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof ConfigSources.ConfigException || ex instanceof IllegalArgumentException
                    || ex instanceof IllegalStateException) {
                cmd.getErr().println("switchboard: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        if (args.length == 0 || (args[0].startsWith("-") && !ROOT_FLAGS.contains(args[0]))) {
            String[] withServe = new String[args.length + 1];
            withServe[0] = "serve";
            System.arraycopy(args, 0, withServe, 1, args.length);
            args = withServe;
        }
        return cli.execute(Arrays.copyOf(args, args.length));
    }
}
