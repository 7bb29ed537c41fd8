package io.switchboard.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The programs tests run (redis-server, node, chromium, promtool, ...), found the way {@code ./test}
 * finds them: both read {@code .ci/tools.txt}, whose lines are {@code name | where | Debian package}.
 * A test that needs a program that is not there fails, with the command that installs it in the
 * message; it is never skipped.
 */
public final class Tools {

    /** The list, relative to the repository root. */
    public static final String LIST = ".ci/tools.txt";

    /**
     * One line of the list. {@code where}: names looked up on PATH or absolute paths, the first found wins;
     * an absolute path ending in {@code /} is a directory that must exist (a library such as a Python module).
     */
    public record Tool(String name, List<String> where, String debianPackage) {
    }

    private Tools() {
    }

    /**
     * The path of the program named {@code name} in the list.
     *
     * @throws AssertionError when it is not installed (the message says how to install it) or not in the list
     */
    public static String path(String name) {
        return path(name, list(), System.getenv().getOrDefault("PATH", ""), "root".equals(System.getProperty("user.name")));
    }

    static String path(String name, List<Tool> list, String pathVariable, boolean root) {
        Tool tool = list.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not in " + LIST + "; add it there, with its Debian package"));
        for (String candidate : tool.where()) {
            if (candidate.startsWith("/") && candidate.endsWith("/")) {
                if (Files.isDirectory(Path.of(candidate))) { // a directory a package installs (a Python module)
                    return candidate;
                }
            } else if (candidate.startsWith("/")) {
                if (runnable(Path.of(candidate))) {
                    return candidate;
                }
            } else {
                for (String dir : pathVariable.split(File.pathSeparator)) {
                    if (!dir.isEmpty() && runnable(Path.of(dir, candidate))) {
                        return Path.of(dir, candidate).toString();
                    }
                }
            }
        }
        throw new AssertionError(name + " is not installed (looked for: " + String.join(" ", tool.where())
                + ", PATH=" + pathVariable + "). Install it with: " + installCommand(tool, root)
                + " (or run ./test, which installs what the tests need)");
    }

    /** The command that installs the tool's package, as ./test prints it. */
    static String installCommand(Tool tool, boolean root) {
        return (root ? "" : "sudo ") + "apt-get install -y " + tool.debianPackage();
    }

    /** Every line of {@code .ci/tools.txt}. */
    public static List<Tool> list() {
        Path file = repositoryRoot().resolve(LIST);
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    static List<Tool> parse(List<String> lines) {
        List<Tool> out = new ArrayList<>();
        for (String line : lines) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            String[] f = s.split("\\|", -1);
            if (f.length != 3 || f[0].isBlank() || f[1].isBlank() || f[2].isBlank()) {
                throw new IllegalArgumentException(LIST + ": a line needs name | where | package: " + line);
            }
            out.add(new Tool(f[0].strip(), Arrays.asList(f[1].strip().split("\\s+")), f[2].strip()));
        }
        return out;
    }

    /** The nearest directory at or above the working directory (a module's, under Maven) that has the list. */
    public static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(LIST))) {
                return d;
            }
        }
        throw new IllegalStateException("no " + LIST + " in " + dir + " or above it");
    }

    /**
     * Makes sure the npm packages of {@code dir}'s committed lockfile are installed: nothing when
     * {@code node_modules/<probe>/package.json} is there, else {@code npm ci} (at most 5 minutes).
     *
     * @throws AssertionError when npm is missing (with its install command) or {@code npm ci} fails (with its output)
     */
    public static void npmCi(Path dir, String probe) throws java.io.IOException, InterruptedException {
        npmCi(dir, new String[] {probe});
    }

    /** As {@link #npmCi(Path, String)}, installed when any of the {@code probes} is missing. */
    public static void npmCi(Path dir, String... probes) throws java.io.IOException, InterruptedException {
        boolean all = probes.length > 0;
        for (String probe : probes) {
            all &= Files.isRegularFile(dir.resolve("node_modules").resolve(probe).resolve("package.json"));
        }
        if (all) {
            return;
        }
        Path log = Files.createTempFile("switchboard-npm-ci", ".log");
        Process npm = new ProcessBuilder(path("npm"), "ci", "--no-audit", "--no-fund").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = npm.waitFor(5, java.util.concurrent.TimeUnit.MINUTES);
        if (!done) {
            npm.descendants().forEach(ProcessHandle::destroyForcibly);
            npm.destroyForcibly();
        }
        String out = Files.readString(log);
        Files.deleteIfExists(log);
        if (!done || npm.exitValue() != 0) {
            throw new AssertionError("npm ci in " + dir + (done ? " failed:\n" : " took over 5 minutes:\n") + out);
        }
    }

    private static boolean runnable(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }
}
