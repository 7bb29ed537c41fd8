package io.switchboard.bench;

import java.io.UncheckedIOException;

/**
 * The server's CPU (all of it, and the kernel's part) and the machine's, in seconds, at one moment; two
 * snapshots give a window's figures. A server that has died reads as NaN instead of failing the run.
 */
record CpuSnapshot(double server, double serverSystem, double machineBusy, double machineTotal) {

    static CpuSnapshot of(ServerUnderTest s) {
        double cpu;
        double sys;
        try {
            cpu = s.cpuSeconds();
            sys = s.systemCpuSeconds();
        } catch (UncheckedIOException gone) {
            cpu = Double.NaN;
            sys = Double.NaN;
        }
        double[] machine = ProcStats.machineCpuSeconds();
        return new CpuSnapshot(cpu, sys, machine[0], machine[1]);
    }

    /** The server's CPU seconds from this snapshot to {@code end}. */
    double serverCpu(CpuSnapshot end) {
        return end.server - server;
    }

    /** The kernel's share of the server's CPU from this snapshot to {@code end}, in per cent. */
    double kernelPercent(CpuSnapshot end) {
        double all = serverCpu(end);
        return all > 0 ? 100 * (end.serverSystem - serverSystem) / all : Double.NaN;
    }

    /** Fills the kernel share, the machine's busy share and others' CPU of {@code run} over this window. */
    void fill(ScenarioRun run, CpuSnapshot end, double generatorCpuSeconds) {
        double busy = end.machineBusy - machineBusy;
        run.machineBusyPercent = 100 * busy / Math.max(1e-9, end.machineTotal - machineTotal);
        run.otherCpuSeconds = busy - serverCpu(end) - generatorCpuSeconds;
        run.serverSystemCpuPercent = kernelPercent(end);
    }
}
