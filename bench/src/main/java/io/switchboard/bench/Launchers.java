package io.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The command line of each server under test, and a description of the machine and software. */
public final class Launchers {

    private Launchers() {
    }

    /**
     * @param switchboard how to run the node: the {@code ./switchboard} launcher for a real run, or
     *                    java with a classpath in the smoke test
     */
    static List<String> command(Target t, Path root, List<String> switchboard, int port, String secret) {
        List<String> cmd = new ArrayList<>();
        switch (t) {
            case SWITCHBOARD, PUSHER, SWITCHBOARD_DEFLATE, SWITCHBOARD_PROTOBUF -> {
                cmd.addAll(switchboard);
                // The per-connection command rate and per-address limits guard against abuse; a load
                // generator on loopback is one address with thousands of busy connections. The peers
                // have no such limits, so they are off here.
                cmd.addAll(List.of("serve", "--port", Integer.toString(port), "--jwt-secret", secret,
                        "--commands-per-second", "0", "--new-connections-per-second-per-ip", "0",
                        "--max-connections-per-ip", "0", "--max-connections-per-user", "0",
                        // stop within a second of SIGTERM, instead of spreading closes over 10 s
                        "--drain-window", "200ms"));
                if (t.compression()) {
                    cmd.addAll(List.of("--compression", "on"));
                }
                if (t == Target.PUSHER) {
                    cmd.addAll(List.of("--pusher-app", PusherTrigger.APP_ID + ":" + PusherTrigger.KEY + ":" + PusherTrigger.SECRET));
                }
            }
            case WS -> cmd.addAll(List.of("node", root.resolve("bench/peers/ws-server.js").toString(),
                    "--port", Integer.toString(port), "--jwt-secret", secret));
            case SOCKETIO -> cmd.addAll(List.of("node", root.resolve("bench/peers/socketio-server.js").toString(),
                    "--port", Integer.toString(port), "--jwt-secret", secret));
        }
        return cmd;
    }

    /**
     * A Switchboard node's {@code serve} command with the abuse limits off, as the comparison runs it;
     * bench/chaos starts its nodes with it too (loopback clients that reconnect in bursts).
     */
    public static List<String> switchboard(List<String> switchboard, int port, String secret) {
        return command(Target.SWITCHBOARD, null, switchboard, port, secret);
    }

    static Map<String, String> environment(Path root) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("started", BenchMain.now());
        env.put("CPU", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        env.put("memory", memTotal());
        env.put("kernel", read("/proc/sys/kernel/osrelease"));
        env.put("load average at the start", read("/proc/loadavg"));
        // ./switchboard runs $JAVA_HOME/bin/java when JAVA_HOME is set, which may not be the JVM running this
        env.put("Java (Switchboard, as ./switchboard picks it)", switchboardJava());
        env.put("Java (generators)", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("SWITCHBOARD_JAVA_OPTS", System.getenv().getOrDefault("SWITCHBOARD_JAVA_OPTS", "(unset: the launcher's default, "
                + "-XX:+UseParallelGC -Xmn16m -XX:MetaspaceSize=64m, with -XX:TrimNativeHeapInterval=1000 on a JDK that has it "
                + "and -XX:+UseCompactObjectHeaders on JDK 25 or newer)"));
        env.put("SWITCHBOARD_WARM_UP_SESSIONS", System.getenv().getOrDefault("SWITCHBOARD_WARM_UP_SESSIONS",
                "(unset: serve's default, 3000, the embedded node's 0; idle and scale start the node with 0)"));
        env.put("Node", run("node", "--version"));
        env.put("ws", packageVersion(root, "ws"));
        env.put("socket.io", packageVersion(root, "socket.io"));
        String dirty = run("git", "-C", root.toString(), "status", "--porcelain", "--untracked-files=no");
        env.put("git commit", run("git", "-C", root.toString(), "rev-parse", "--short", "HEAD")
                + (dirty.isEmpty() ? "" : " with uncommitted changes (the launcher builds the node from the working tree)"));
        return env;
    }

    private static String cpuModel() {
        for (String line : read("/proc/cpuinfo").split("\n")) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown CPU";
    }

    private static String memTotal() {
        for (String line : read("/proc/meminfo").split("\n")) {
            if (line.startsWith("MemTotal:")) {
                long kb = Long.parseLong(line.replaceAll("\\D+", ""));
                return String.format("%.1f GiB", kb / 1048576.0);
            }
        }
        return "unknown";
    }

    private static String packageVersion(Path root, String pkg) {
        String json = read(root.resolve("bench/peers/node_modules").resolve(pkg).resolve("package.json").toString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        return m.find() ? m.group(1) : "unknown";
    }

    /**
     * The JDK {@code ./switchboard} runs the node on ({@code $JAVA_HOME/bin/java}, else the {@code java} on the
     * PATH): its vendor and version from its {@code release} file.
     */
    static String switchboardJava() {
        String home = System.getenv("JAVA_HOME");
        Path launcherJava = null;
        if (home != null && !home.isEmpty()) {
            launcherJava = Path.of(home, "bin", "java");
        } else {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "java"))) {
                    launcherJava = Path.of(dir, "java");
                    break;
                }
            }
        }
        if (launcherJava == null) {
            return "unknown (no java on the PATH)";
        }
        try {
            Path release = launcherJava.toRealPath().getParent().getParent().resolve("release");
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : Files.readAllLines(release)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    fields.put(line.substring(0, eq), line.substring(eq + 1).replace("\"", ""));
                }
            }
            return fields.getOrDefault("IMPLEMENTOR", "?") + " " + fields.getOrDefault("JAVA_RUNTIME_VERSION",
                    fields.getOrDefault("JAVA_VERSION", "?")) + " (" + launcherJava.toRealPath().getParent().getParent() + ")";
        } catch (IOException e) {
            return "unknown (" + launcherJava + ": " + e.getMessage() + ")";
        }
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return out;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
