package io.switchboard.embedded;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prints what an idle embedded node adds to its JVM: threads, heap in use after GC, RSS. Used for the figures in
 * docs/embedding.md; run as described there. Not a test: it asserts nothing and is not run by the build.
 */
public final class IdleFootprint {
    private IdleFootprint() {
    }

    static long rssKb() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", ""));
        }
        return -1;
    }
    static long heapUsed() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
    public static void main(String[] a) throws Exception {
        int threads0 = Thread.activeCount();
        long heap0 = heapUsed(), rss0 = rssKb();
        Switchboard sb = Switchboard.builder().port(0).ioThreads(Integer.parseInt(a[0])).build().start();
        Thread.sleep(2000);
        int threads1 = Thread.activeCount();
        long heap1 = heapUsed(), rss1 = rssKb();
        System.out.printf("before: threads=%d heapUsed=%.1fMiB rss=%.1fMiB%n", threads0, heap0 / 1048576.0, rss0 / 1024.0);
        System.out.printf("idle node (io-threads %s): threads=%d (+%d) heapUsed=%.1fMiB (+%.1f) rss=%.1fMiB (+%.1f)%n", a[0],
                threads1, threads1 - threads0, heap1 / 1048576.0, (heap1 - heap0) / 1048576.0, rss1 / 1024.0, (rss1 - rss0) / 1024.0);
        Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().forEach(n -> System.out.println("  " + n));
        long t = System.nanoTime();
        sb.close();
        System.out.printf("close (no connections): %d ms%n", (System.nanoTime() - t) / 1_000_000);
    }
}
