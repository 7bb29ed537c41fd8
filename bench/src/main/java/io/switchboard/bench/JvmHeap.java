package io.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The heap a JVM still uses after a full GC: {@code jcmd PID GC.run}, then {@code jstat -gc PID}. */
final class JvmHeap {

    private JvmHeap() {
    }

    static long usedAfterGc(long pid) throws IOException, InterruptedException {
        String bin = Path.of(System.getProperty("java.home"), "bin").toString();
        run(bin + "/jcmd", Long.toString(pid), "GC.run");
        return usedFromJstat(run(bin + "/jstat", "-gc", Long.toString(pid)));
    }

    /** The first {@code lines} lines of {@code jcmd PID GC.class_histogram} (live objects, largest first). */
    static String classHistogram(long pid, int lines) throws IOException, InterruptedException {
        String bin = Path.of(System.getProperty("java.home"), "bin").toString();
        String out = run(bin + "/jcmd", Long.toString(pid), "GC.class_histogram");
        String[] all = out.split("\n");
        return String.join("\n", java.util.Arrays.copyOf(all, Math.min(lines, all.length))) + "\n";
    }

    /** Sums S0U, S1U, EU and OU (kB) of {@code jstat -gc} output into bytes. */
    static long usedFromJstat(String out) {
        String[] lines = out.trim().split("\n");
        if (lines.length < 2) {
            throw new IllegalArgumentException("unexpected jstat output: " + out);
        }
        String[] head = lines[0].trim().split("\\s+");
        String[] vals = lines[lines.length - 1].trim().split("\\s+");
        double kb = 0;
        for (int i = 0; i < head.length && i < vals.length; i++) {
            switch (head[i]) {
                case "S0U", "S1U", "EU", "OU" -> kb += Double.parseDouble(vals[i]);
                default -> { }
            }
        }
        return (long) (kb * 1024);
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
