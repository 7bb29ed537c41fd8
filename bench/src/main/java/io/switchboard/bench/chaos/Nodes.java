package io.switchboard.bench.chaos;

import io.switchboard.bench.Launchers;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The run's Switchboard nodes: separate processes on fixed free ports (a restarted node comes back on its
 * port), started with the comparison's command line ({@link Launchers#switchboard}) plus the cluster
 * options. Each can be SIGKILLed and started again, or frozen with SIGSTOP and thawed with SIGCONT. Only
 * these processes are ever signalled, by their PID.
 */
final class Nodes implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final List<Integer> ports = new ArrayList<>();
    private final List<List<String>> commands = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private final Process[] processes;
    private final boolean[] frozen;

    /**
     * @param launcher how to run a node: the {@code ./switchboard} launcher, or java with a classpath
     * @param extra    options after the comparison's ones (engine, broker, config)
     */
    Nodes(int n, List<String> launcher, String secret, List<String> extra, Path logDir, String prefix) throws IOException {
        processes = new Process[n];
        frozen = new boolean[n];
        for (int i = 0; i < n; i++) {
            int port = freePort();
            ports.add(port);
            List<String> cmd = new ArrayList<>(Launchers.switchboard(launcher, port, secret));
            cmd.addAll(extra);
            commands.add(cmd);
            logs.add(logDir.resolve(prefix + "-node" + i + ".log"));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts every node at once and waits until all are ready. */
    void startAll() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < processes.length; i++) {
            int node = i;
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    start(node);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }));
        }
        all.forEach(CompletableFuture::join);
    }

    /** Starts node {@code i} and waits (up to 120 s) until its /readyz answers 200. */
    void start(int i) throws Exception {
        Process p = new ProcessBuilder(commands.get(i)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.get(i).toFile())).start();
        processes[i] = p;
        URI ready = URI.create("http://127.0.0.1:" + ports.get(i) + "/readyz");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("node " + i + " exited with " + p.exitValue() + "; see " + logs.get(i));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + i + " was not ready in 120 s; see " + logs.get(i));
            }
            Thread.sleep(50);
        }
    }

    /** SIGKILL: the node vanishes without closing anything. */
    void kill(int i) throws Exception {
        thaw(i);
        Process p = processes[i];
        p.destroyForcibly();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node " + i + " did not die");
        }
    }

    void freeze(int i) throws Exception {
        signal(i, "-STOP");
        frozen[i] = true;
    }

    void thaw(int i) throws Exception {
        if (frozen[i]) {
            signal(i, "-CONT");
            frozen[i] = false;
        }
    }

    private void signal(int i, String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", sig, Long.toString(processes[i].pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill " + sig + " " + processes[i].pid() + " failed");
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = 0; i < processes.length; i++) {
            if (processes[i] != null && processes[i].isAlive()) {
                kill(i);
            }
        }
    }
}
