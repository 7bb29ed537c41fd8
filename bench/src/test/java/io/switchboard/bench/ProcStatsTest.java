package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatsTest {

    @Test
    void cpuTicksAreUtimePlusStimeCountedFromTheLastParenthesis() {
        // A command name with a space and a parenthesis must not shift the fields.
        String stat = "4242 (node (x) y) S 1 4242 4242 0 -1 4194560 3000 0 0 0 1234 567 0 0 20 0 11 0 100 1000000 5000";
        assertThat(ProcStats.cpuTicks(stat)).isEqualTo(1234 + 567);
        assertThat(ProcStats.systemTicks(stat)).isEqualTo(567);
        assertThatThrownBy(() -> ProcStats.cpuTicks("garbage")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void residentBytesFromVmRss() {
        String status = "Name:\tjava\nVmPeak:\t 9999 kB\nVmRSS:\t  123456 kB\nThreads:\t30\n";
        assertThat(ProcStats.residentBytes(status)).isEqualTo(123456L * 1024);
        assertThatThrownBy(() -> ProcStats.residentBytes("Name:\tx\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thisProcessHasCpuTimeAndMemory() {
        long pid = ProcessHandle.current().pid();
        double before = ProcStats.cpuSeconds(pid);
        long x = 0;
        long until = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < until) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        assertThat(x).isNotNegative();
        assertThat(ProcStats.cpuSeconds(pid)).isGreaterThan(before);
        assertThat(ProcStats.residentBytes(pid)).isGreaterThan(1 << 20);
    }

    @Test
    void machineCpuIsBusyAndTotalFromTheFirstLineOfProcStat() {
        String stat = "cpu  1000 10 500 8000 100 5 5 0 0 0\ncpu0 500 5 250 4000 50 2 2 0 0 0\n";
        double[] busyTotal = ProcStats.machineCpu(stat);
        assertThat(busyTotal[0]).isEqualTo((1000 + 10 + 500 + 5 + 5) / 100.0);
        assertThat(busyTotal[1]).isEqualTo((1000 + 10 + 500 + 8000 + 100 + 5 + 5) / 100.0);
        assertThat(ProcStats.machineCpuSeconds()[1]).isPositive();
    }

    @Test
    void heapUsedIsTheSumOfTheUsedColumnsOfJstat() {
        String out = """
                 S0C         S1C         S0U         S1U          EC           EU           OC           OU          MC         MU       CCSC      CCSU     YGC     YGCT     FGC    FGCT     CGC    CGCT       GCT
                      0.0      2048.0         0.0      1024.0      30720.0       2048.0     229376.0      10240.5    20000.0    19000.0   2000.0    1800.0      3     0.010     1     0.020     0     0.000     0.030
                """;
        assertThat(JvmHeap.usedFromJstat(out)).isEqualTo((long) ((1024 + 2048 + 10240.5) * 1024));
    }
}
