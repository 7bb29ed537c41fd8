package io.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU time and resident memory, read from {@code /proc/PID/stat} and {@code /proc/PID/status}. */
public final class ProcStats {

    /** USER_HZ: the unit of utime and stime. 100 on every Linux this runs on; {@code getconf CLK_TCK} says so. */
    static final int CLOCK_TICKS_PER_SECOND = 100;

    private ProcStats() {
    }

    /** System (kernel) CPU time of the process alone, in seconds: the part spent in syscalls such as send. */
    static double systemCpuSeconds(long pid) {
        return systemTicks(read(Path.of("/proc", Long.toString(pid), "stat"))) / (double) CLOCK_TICKS_PER_SECOND;
    }

    static long systemTicks(String stat) {
        int close = stat.lastIndexOf(')');
        String[] f = stat.substring(close + 2).trim().split("\\s+");
        return Long.parseLong(f[15 - 3]);
    }

    /** utime + stime of the process (all its threads), in seconds. */
    public static double cpuSeconds(long pid) {
        return cpuTicks(read(Path.of("/proc", Long.toString(pid), "stat"))) / (double) CLOCK_TICKS_PER_SECOND;
    }

    /**
     * The whole machine's CPU time from the first line of {@code /proc/stat}: {busy, total} in seconds
     * (busy = total minus idle and iowait), to tell how much of the machine others used meanwhile.
     */
    public static double[] machineCpuSeconds() {
        return machineCpu(read(Path.of("/proc/stat")));
    }

    static double[] machineCpu(String procStat) {
        String first = procStat.substring(0, procStat.indexOf('\n') < 0 ? procStat.length() : procStat.indexOf('\n'));
        String[] f = first.trim().split("\\s+");
        if (!f[0].equals("cpu")) {
            throw new IllegalArgumentException("not /proc/stat: " + first);
        }
        long total = 0;
        // user nice system idle iowait irq softirq steal (guest time is already inside user)
        for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
        return new double[] {(total - idle) / (double) CLOCK_TICKS_PER_SECOND, total / (double) CLOCK_TICKS_PER_SECOND};
    }

    /** VmRSS in bytes. */
    static long residentBytes(long pid) {
        return residentBytes(read(Path.of("/proc", Long.toString(pid), "status")));
    }

    /**
     * utime + stime from a {@code stat} line. The command name (field 2) is in parentheses and may
     * itself hold spaces and parentheses, so fields are counted from the last ')'.
     */
    static long cpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        String[] f = stat.substring(close + 2).trim().split("\\s+");
        // After the name: f[0] is field 3 (state); utime is field 14 and stime field 15.
        return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    }

    static long residentBytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] f = line.substring(6).trim().split("\\s+");
                long v = Long.parseLong(f[0]);
                if (f.length > 1 && !f[1].equalsIgnoreCase("kB")) {
                    throw new IllegalArgumentException("unexpected VmRSS unit: " + line);
                }
                return v * 1024;
            }
        }
        throw new IllegalArgumentException("no VmRSS line");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
