package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static ScenarioRun run(Target t, Scenario s) {
        ScenarioRun r = new ScenarioRun();
        r.target = t.id();
        r.scenario = s.id();
        return r;
    }

    private static List<ScenarioRun> runs(double sbMem, double sbCpu, double sbP99, double sbConnect) {
        List<ScenarioRun> all = new ArrayList<>();
        for (Target t : Target.values()) {
            boolean sb = t == Target.SWITCHBOARD;
            ScenarioRun idle = run(t, Scenario.IDLE);
            idle.rssPerConnectionBytes = sb ? sbMem : 10_000;
            ScenarioRun fan = run(t, Scenario.FANOUT);
            fan.serverCpuPerMillion = sb ? sbCpu : t == Target.WS ? 10 : 20;
            fan.p99Ms = sb ? sbP99 : 5;
            ScenarioRun rooms = run(t, Scenario.ROOMS);
            rooms.p99Ms = sb ? sbP99 : 5;
            ScenarioRun connect = run(t, Scenario.CONNECT);
            connect.connectsPerSecond = sb ? sbConnect : 1000;
            all.addAll(List.of(idle, fan, rooms, connect));
        }
        return all;
    }

    private static List<String> verdicts(List<ScenarioRun> runs) {
        return new Report(runs, List.of(Target.values()), new Settings(), Map.of()).targetRows().stream().map(r -> r[5]).toList();
    }

    @Test
    void everyTargetMetWhenEveryRatioIsInsideItsBound() {
        assertThat(verdicts(runs(5_000, 5, 5, 2000))).containsOnly("**yes**").hasSize(5);
    }

    @Test
    void eachTargetMissedOnItsOwnBound() {
        // memory 0.51 of ws; CPU 0.5 of ws but 0.3 of Socket.IO; p99 worse; connect 1.99x
        assertThat(verdicts(runs(5_100, 6, 5.01, 1990))).containsOnly("no");
    }

    @Test
    void theTableNamesEveryServerAndScenario() {
        String md = new Report(runs(5_000, 5, 5, 2000), List.of(Target.values()), new Settings(), Map.of("CPU", "test")).markdown();
        assertThat(md).contains("## Targets", "## idle", "## fanout", "## rooms", "## connect", "| Switchboard |", "| ws |", "| Socket.IO |");
    }
}
